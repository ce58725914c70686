/**
 * The team-review part of the API contract: audit log, agreement, adjudication, conflicts and the
 * active-review estimate. contract.ts spreads these schemas into `apiArgs` and extends `ApiResults`
 * with these results. Like contract.ts this file is imported by the renderer, so it depends on zod
 * only, and it must not import contract.ts at run time (contract.ts imports it).
 */
import { z } from 'zod';
import type { Verdict } from './contract.js';

const id = z.string().min(1).max(200);
const person = z.string().trim().min(1, 'reviewer name is required').max(100);
const verdict = z.enum(['same', 'different', 'unsure']);

export const REVIEW_ORDERS = ['similarity', 'active'] as const;
export type ReviewOrder = (typeof REVIEW_ORDERS)[number];
export const reviewOrderSchema = z.enum(REVIEW_ORDERS);

export const reviewApiArgs = {
  listAuditLog: z
    .object({
      datasetId: id,
      queueId: id.optional(),
      /** The person who made the change. */
      reviewer: person.optional(),
      /** Both samples of one pair, in either order, or neither. */
      sampleA: id.optional(),
      sampleB: id.optional(),
      offset: z.number().int().nonnegative().default(0),
      limit: z.number().int().positive().max(1000).default(100),
    })
    .refine((args) => (args.sampleA === undefined) === (args.sampleB === undefined), {
      message: 'give both sampleA and sampleB to filter by pair, or neither',
      path: ['sampleB'],
    }),
  getAgreement: z.object({ queueId: id }),
  listAdjudication: z
    .object({
      datasetId: id.optional(),
      queueId: id.optional(),
      /** Also list disagreements an adjudicator already settled. Default false. */
      includeSettled: z.boolean().default(false),
    })
    .refine((args) => (args.datasetId === undefined) !== (args.queueId === undefined), {
      message: 'give exactly one of datasetId and queueId',
      path: ['datasetId'],
    }),
  adjudicate: z.object({
    datasetId: id,
    sampleA: id,
    sampleB: id,
    verdict,
    adjudicator: person,
    note: z.string().max(2000).optional(),
    /** The queue the adjudication was made from, so that `undo` in that queue can take it back. */
    queueId: id.optional(),
  }),
  listConflicts: z.object({ datasetId: id }),
  getReviewEstimate: z.object({
    queueId: id,
    /** Similarity at or above which items count; the lowest similarity of the queue when omitted. */
    threshold: z.number().finite().optional(),
    /** Stop when fewer false negatives than this are expected above the threshold. Default 1. */
    maxExpectedRemaining: z.number().nonnegative().default(1),
    /** Stop when this many latest decisions found no `same`; 0 turns the window rule off. Default 50. */
    window: z.number().int().nonnegative().max(100000).default(50),
  }),
} as const;

export interface AuditEntryRecord {
  auditId: number;
  datasetId: string;
  decisionId: number;
  action: 'decide' | 'undo';
  /** The reviewer for a decision, the person who undid it for an undo. */
  actor: string;
  role: 'reviewer' | 'adjudicator';
  sampleA: string;
  sampleB: string;
  queueId: string | null;
  /** The actor's own verdict on the pair (latest, not undone, same role) before and after the change. */
  verdictBefore: Verdict | null;
  verdictAfter: Verdict | null;
  note: string | null;
  changedAt: string;
  /** Reconstructed from decisions made before the log existed. */
  backfilled: boolean;
}

export interface AuditLogPage {
  entries: AuditEntryRecord[];
  total: number;
}

export interface ReviewerVerdictRecord {
  reviewer: string;
  verdict: Verdict;
  decisionId: number;
}

/** A pair with every reviewer's verdict and the verdict the mask reads. */
export interface PairReviewRecord {
  sampleA: string;
  sampleB: string;
  verdicts: ReviewerVerdictRecord[];
  adjudication: (ReviewerVerdictRecord & { note: string | null }) | null;
  status: 'single' | 'agreed' | 'disagreed';
  resolved: Verdict;
  resolvedBy: 'adjudicator' | 'single' | 'agreed' | 'unresolved';
}

export interface ReviewerPairAgreementRecord {
  reviewerA: string;
  reviewerB: string;
  pairs: number;
  agreed: number;
  /** Rows: reviewerA, columns: reviewerB, both in the order same, different, unsure. */
  confusion: number[][];
  kappa: number | null;
}

export interface AgreementReport {
  queueId: string;
  datasetId: string;
  reviewers: string[];
  /** Pairs of the queue by status of their reviewer verdicts. */
  pairs: { single: number; agreed: number; disagreed: number; adjudicated: number };
  pairsWithSeveralReviewers: number;
  byReviewerPair: ReviewerPairAgreementRecord[];
  /** Mean of the defined Cohen's kappas of reviewer pairs (Light's kappa). */
  meanPairwiseKappa: number | null;
  /** Fleiss' kappa over pairs with two or more reviewer verdicts; reviewer counts may differ per pair. */
  fleissKappa: number | null;
}

export interface AdjudicationItemRecord {
  kind: 'disagreement' | 'conflict';
  review: PairReviewRecord;
  /** Conflicts: the `same` pairs joining the two samples, in path order, each with its verdicts. */
  chain: PairReviewRecord[];
  path: string[];
}

export interface AdjudicationList {
  items: AdjudicationItemRecord[];
}

export interface ConflictRecord {
  groupId: string;
  /** The `different` pair inside the group. */
  different: PairReviewRecord;
  path: string[];
  chain: PairReviewRecord[];
}

export interface CalibrationBlockRecord {
  minSimilarity: number;
  maxSimilarity: number;
  decided: number;
  same: number;
  probability: number;
}

export interface SliceEstimateRecord {
  /** `sequence` or a condition field of the manifest. */
  field: string;
  value: string;
  itemsAbove: number;
  undecidedAbove: number;
  foundAbove: number;
  labelledAbove: number;
  expectedRemaining: number | null;
}

export interface ReviewEstimate {
  queueId: string;
  threshold: number;
  /** P(same | similarity), fitted by isotonic regression on the queue's decided items. */
  curve: CalibrationBlockRecord[];
  slices: SliceEstimateRecord[];
  stopping: StoppingStateRecord & { maxExpectedRemaining: number; window: number };
}

/** The stopping rule's state for one queue. */
export interface StoppingStateRecord {
  expectedRemaining: number | null;
  undecidedAbove: number;
  /** Latest decisions counted for the window (fewer than `window` early in a review). */
  recentDecisions: number;
  recentSame: number;
  belowTarget: boolean;
  /** True once `window` decisions in a row found no `same`. */
  windowEmpty: boolean;
  stop: boolean;
  /** Plain sentence for the review screen. */
  reason: string;
}

export interface ReviewApiResults {
  listAuditLog: AuditLogPage;
  getAgreement: AgreementReport;
  listAdjudication: AdjudicationList;
  adjudicate: PairReviewRecord;
  listConflicts: { conflicts: ConflictRecord[] };
  getReviewEstimate: ReviewEstimate;
}
