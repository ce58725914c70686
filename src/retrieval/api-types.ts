/**
 * Argument schemas and result types of the retrieval calls of the API. contract.ts lists them
 * with the other calls, and the renderer imports the result types, so this file depends on zod only.
 */
import { z } from 'zod';

const id = z.string().min(1).max(200);
const reviewer = z.string().trim().min(1, 'reviewer name is required').max(100);

/** Largest k of a failure grid and of the neighbour lists behind it. */
export const MAX_RETRIEVAL_K = 50;

export const conditionFieldSchema = z.enum(['weather', 'timeOfDay', 'season']);
export type ConditionField = z.infer<typeof conditionFieldSchema>;

/** When a database sample is a true match of a query, before reviewers' decisions are applied. */
export const groundTruthRuleSchema = z.discriminatedUnion('kind', [
  /** Both samples have the same `placeId`. */
  z.object({ kind: z.literal('place') }),
  /** Both samples have poses at most `radiusMetres` apart in the plane, and the same `site` (or none). */
  z.object({ kind: z.literal('pose'), radiusMetres: z.number().positive().max(100_000) }),
]);
export type GroundTruthRule = z.infer<typeof groundTruthRuleSchema>;

const retrievalSetup = {
  datasetId: id,
  /** Defaults to the dataset's newest embedding version. */
  embeddingVersionId: id.optional(),
  /** Defaults to the manifest's first condition field. */
  conditionField: conditionFieldSchema.optional(),
  rule: groundTruthRuleSchema.default({ kind: 'place' }),
  /** Leave out database samples of the query's sequence at most this many seconds away. */
  excludeSameSequenceSeconds: z.number().nonnegative().max(1_000_000).optional(),
};

export const retrievalApiArgs = {
  getRecallMatrix: z.object(retrievalSetup),
  getRetrievalFailures: z.object({
    ...retrievalSetup,
    queryCondition: z.string().min(1).max(200),
    databaseCondition: z.string().min(1).max(200),
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().positive().max(200).default(20),
    k: z.number().int().positive().max(MAX_RETRIEVAL_K).default(10),
  }),
  markRetrievedSame: z.object({ datasetId: id, sampleA: id, sampleB: id, reviewer }),
  listHardNegativeCandidates: z.object({
    datasetId: id,
    embeddingVersionId: id.optional(),
    groupBy: z.enum(['class', 'place']),
    /** Rule that decides which pairs are the same place, so that `place` candidates are different places. */
    rule: groundTruthRuleSchema.default({ kind: 'place' }),
    excludeSameSequenceSeconds: z.number().nonnegative().max(1_000_000).optional(),
    limit: z.number().int().positive().max(1000).default(100),
  }),
  confirmHardNegative: z.object({
    datasetId: id,
    sampleA: id,
    sampleB: id,
    reviewer,
    embeddingVersionId: id.optional(),
  }),
} as const;

/** Recall at one k over the queries of a cell that have at least one true match. */
export interface RecallAtK {
  k: number;
  /** Queries with a true match among their first k results. */
  hits: number;
  /** hits / queriesWithMatch, or null when no query of the cell has a true match. */
  recall: number | null;
}

export interface RecallCell {
  queryCondition: string;
  databaseCondition: string;
  /** Queries of the query condition with at least one true match in the database condition. */
  queriesWithMatch: number;
  /** Queries of the query condition without any true match there; they do not count in recall. */
  queriesWithoutMatch: number;
  /** Samples of the database condition (before the per-query exclusions). */
  databaseSize: number;
  recall: RecallAtK[];
}

export interface RecallMatrix {
  datasetId: string;
  embeddingVersionId: string;
  conditionField: ConditionField;
  rule: GroundTruthRule;
  excludeSameSequenceSeconds: number | null;
  /** Values of the condition field, in the order the rows and columns use. */
  conditions: string[];
  /** One cell per (query condition, database condition), row by row. */
  cells: RecallCell[];
  /** Embedded samples without a value for the condition field, left out of every cell. */
  samplesWithoutCondition: number;
  /** Pairs with a `same` decision and pairs with a `different` decision that the truth used. */
  decidedSame: number;
  decidedDifferent: number;
}

export interface RetrievedResult {
  sampleId: string;
  similarity: number;
  /** 1 is the most similar database sample. */
  rank: number;
  isTrueMatch: boolean;
}

export interface RetrievalFailure {
  querySampleId: string;
  results: RetrievedResult[];
  /** The most similar true match, with its rank when it is among the first k, else null ("beyond k"). */
  trueMatch: { sampleId: string; similarity: number; rank: number | null } | null;
}

export interface RetrievalFailuresPage {
  queryCondition: string;
  databaseCondition: string;
  k: number;
  embeddingVersionId: string;
  /** Queries of the cell with a true match, all of which are listed worst first. */
  total: number;
  failures: RetrievalFailure[];
}

export interface HardNegativeCandidate {
  sampleA: string;
  sampleB: string;
  similarity: number;
  classA: string | null;
  classB: string | null;
  placeA: string | null;
  placeB: string | null;
}

export interface HardNegativeGroup {
  /** The two classes or places, sorted, joined by " / ". */
  key: string;
  candidates: HardNegativeCandidate[];
}

export interface HardNegativeBoard {
  datasetId: string;
  embeddingVersionId: string;
  groupBy: 'class' | 'place';
  /** Candidates over all groups; at most the requested limit. */
  total: number;
  groups: HardNegativeGroup[];
}

export interface RetrievalDecisionResult {
  decisionId: number;
  sampleA: string;
  sampleB: string;
  verdict: 'same' | 'different';
  reviewer: string;
  decidedAt: string;
}

export interface RetrievalApiResults {
  getRecallMatrix: RecallMatrix;
  getRetrievalFailures: RetrievalFailuresPage;
  markRetrievedSame: RetrievalDecisionResult;
  listHardNegativeCandidates: HardNegativeBoard;
  confirmHardNegative: RetrievalDecisionResult;
}
