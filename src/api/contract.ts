/**
 * The one API between the UI and the engine. Each call has a name, a zod schema for its
 * arguments and a result type. The Electron preload bridge and the HTTP client of `apron serve`
 * both implement `ApronApi` from this file, and both servers parse arguments with these schemas,
 * so the two front ends cannot drift apart.
 *
 * This file is imported by the renderer: it must depend on zod only.
 */
import { z } from 'zod';
import type { RunCurves, RunSummary } from './contract-runs.js';
import type { VersionShift } from './contract-versions.js';
import { reviewApiArgs, reviewOrderSchema, type ReviewApiResults } from './contract-review.js';
import { trainingApiArgs, type TrainingApiResults } from './contract-training.js';
import { retrievalApiArgs, type RetrievalApiResults } from '../retrieval/api-types.js';

export const verdictSchema = z.enum(['same', 'different', 'unsure']);
export type Verdict = z.infer<typeof verdictSchema>;

const id = z.string().min(1).max(200);
const reviewer = z.string().trim().min(1, 'reviewer name is required').max(100);

export const apiArgs = {
  listDatasets: z.object({}),
  getDatasetOverview: z.object({ datasetId: id }),
  listQueues: z.object({ datasetId: id.optional() }),
  getQueueItems: z.object({
    queueId: id,
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().positive().max(1000).default(100),
    /** `similarity` (when omitted): position order, as mined. `active`: undecided items by estimated P(same) first. */
    order: reviewOrderSchema.optional(),
  }),
  getPair: z.object({ queueId: id, position: z.number().int().nonnegative() }),
  decide: z.object({
    queueItemId: z.number().int().positive(),
    verdict: verdictSchema,
    reviewer,
    note: z.string().max(2000).optional(),
  }),
  undo: z.object({ queueId: id, reviewer }),
  listSamples: z.object({
    datasetId: id,
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().positive().max(1000).default(100),
    /** Case-sensitive substring of the sample id or sequence id, or an exact place id or condition value (`fog`, `night`). */
    filter: z.string().max(200).optional(),
  }),
  getSample: z.object({ datasetId: id, sampleId: id }),
  listRuns: z.object({ datasetId: id.optional() }),
  getRunCurves: z.object({ runId: id }),
  compareEmbeddingVersions: z.object({ datasetId: id, from: id, to: id }),
  getRecallMatrix: retrievalApiArgs.getRecallMatrix,
  getRetrievalFailures: retrievalApiArgs.getRetrievalFailures,
  markRetrievedSame: retrievalApiArgs.markRetrievedSame,
  listHardNegativeCandidates: retrievalApiArgs.listHardNegativeCandidates,
  confirmHardNegative: retrievalApiArgs.confirmHardNegative,
  ...reviewApiArgs,
  ...trainingApiArgs,
} as const;

export type ApiMethod = keyof typeof apiArgs;
export type ApiArgs<M extends ApiMethod> = z.input<(typeof apiArgs)[M]>;
export type ApiParsedArgs<M extends ApiMethod> = z.output<(typeof apiArgs)[M]>;

export const API_METHODS = Object.keys(apiArgs) as ApiMethod[];

export interface DatasetSummary {
  datasetId: string;
  name: string;
  importer: string | null;
  sampleCount: number;
  createdAt: string;
}

export interface CountEntry {
  value: string;
  count: number;
}

export interface DatasetOverview extends DatasetSummary {
  manifestPath: string;
  root: string;
  sequences: CountEntry[];
  /** For each condition field present (weather, timeOfDay, season), the count per value. */
  conditions: Record<string, CountEntry[]>;
  modalities: CountEntry[];
  withPose: number;
  withPlaceId: number;
  embeddingVersions: EmbeddingVersionSummary[];
}

export interface EmbeddingVersionSummary {
  embeddingVersionId: string;
  datasetId: string;
  runId: string | null;
  dimension: number;
  count: number;
  createdAt: string;
  search: EmbeddingSearchSummary;
}

/** The search mining and retrieval use for a version, and the measured recall of its HNSW index. */
export interface EmbeddingSearchSummary {
  kind: 'exact' | 'approximate';
  rows: number;
  /** True when an HNSW index is saved beside the vectors; absent when `kind` is what 'auto' would choose. */
  savedIndex?: boolean;
  /** Recall@10 against exact search, absent until the HNSW index is built. */
  recallAt10?: number;
  /** Number of query rows behind `recallAt10`. */
  recallQueries?: number;
  parameters?: { m: number; efConstruction: number; efSearch: number; space: 'ip' | 'cosine'; seed: number };
}

export interface QueueSummary {
  queueId: string;
  datasetId: string;
  embeddingVersionId: string;
  kind: 'false-negative';
  createdAt: string;
  size: number;
  decided: number;
  /** The search that mining used, from the queue's stored parameters; absent for queues mined before it was recorded. */
  search?: EmbeddingSearchSummary;
}

/** The evidence that put a pair in the queue. Distance and heading exist only when both samples have poses. */
export interface Evidence {
  similarity: number;
  /** Rank of sample B among sample A's valid negatives, 1 being the most similar. */
  rank: number;
  timeGapSeconds: number | null;
  sameSequence: boolean;
  distanceMetres: number | null;
  headingDifferenceDegrees: number | null;
}

export interface DecisionRecord {
  decisionId: number;
  queueItemId: number | null;
  sampleA: string;
  sampleB: string;
  verdict: Verdict;
  reviewer: string;
  note: string | null;
  embeddingVersionId: string | null;
  queueId: string | null;
  decidedAt: string;
}

export interface QueueItem {
  queueItemId: number;
  queueId: string;
  position: number;
  sampleA: string;
  sampleB: string;
  evidence: Evidence;
  /** The latest decision on this item that is not undone, if any. */
  decision: DecisionRecord | null;
}

export interface QueueItemsPage {
  queue: QueueSummary;
  items: QueueItem[];
  total: number;
  /** Order `active` only: each item's estimated P(same), aligned with `items`; null before any calibration. */
  estimates?: Array<number | null>;
}

export interface FileRef {
  /** `camera` or `bev`. */
  kind: 'camera' | 'bev';
  name: string;
  width: number | null;
  height: number | null;
  /** Opaque token that the front end turns into a URL (see `ApronApi.fileUrl`). */
  token: string;
  /** `file`: an image of the dataset (a `.npy` raster is served rendered as PNG); `lidar`: a BEV computed from a sweep. */
  source: 'file' | 'lidar';
  /** Camera images: each LiDAR sweep of the sample projected into this image (none without a calibration). */
  projections: ProjectionRef[];
  /** BEV rasters: token of the vector map elements in this raster's pixels (`MapOverlay` JSON), or null. */
  mapToken: string | null;
  /** BEV rasters: ground distance of one pixel in metres, when known. */
  metresPerPixel: number | null;
  /** BEV rasters: the ego position in raster pixels, when known. */
  egoPixel: { column: number; row: number } | null;
}

/** A LiDAR sweep projected into a camera: the token yields `sensor-wire` projection bytes. */
export interface ProjectionRef {
  lidarName: string;
  token: string;
}

/** A LiDAR sweep: the token yields `sensor-wire` point bytes in metres. */
export interface LidarRef {
  name: string;
  format: string;
  token: string;
  /**
   * `ego`: points in the vehicle frame (x forward, y left, z up), as stored (Argoverse 2) or turned
   * with the calibration's LiDAR-to-ego transform. `sensor`: as stored, which for most sensors has x forward too.
   */
  frame: 'ego' | 'sensor';
}

/** Vector map elements in the pixel frame of one BEV raster. */
export interface MapOverlay {
  width: number;
  height: number;
  shapes: Array<{
    kind: 'lane-left-boundary' | 'lane-right-boundary' | 'drivable-area' | 'pedestrian-crossing';
    closed: boolean;
    /** Interleaved pixel coordinates: column0, row0, column1, row1, ... */
    points: number[];
  }>;
}

/** One camera's calibration as the inspector shows it. */
export interface CalibrationSummary {
  camera: string;
  calibrationId: string;
  format: string;
  imageWidth: number;
  imageHeight: number;
  /** Row-major intrinsic matrix, 3x3 or 3x4. */
  intrinsic: number[];
  /** Row-major 4x4 LiDAR-to-camera transform. */
  lidarToCamera: number[];
  distortion: number[] | null;
}

export interface SampleView {
  sampleId: string;
  datasetId: string;
  metadata: Record<string, string | number | boolean | null>;
  images: FileRef[];
  lidar: LidarRef[];
  calibrations: CalibrationSummary[];
  /** Problems that hide part of the sample (an unreadable calibration, say), for the inspector to show. */
  warnings: string[];
}

/** A page of a dataset's samples, for browsing and opening any sample. */
export interface SamplesPage {
  datasetId: string;
  total: number;
  samples: Array<{
    sampleId: string;
    sequenceId: string;
    timestampNs: string;
    cameras: number;
    lidar: number;
    bev: number;
    condition: string | null;
    placeId: string | null;
  }>;
}

export interface PairView {
  item: QueueItem;
  total: number;
  sampleA: SampleView;
  sampleB: SampleView;
}

export interface UndoResult {
  undone: DecisionRecord | null;
}

export interface ApiResults extends ReviewApiResults, TrainingApiResults {
  listDatasets: DatasetSummary[];
  getDatasetOverview: DatasetOverview;
  listQueues: QueueSummary[];
  getQueueItems: QueueItemsPage;
  getPair: PairView;
  decide: DecisionRecord;
  undo: UndoResult;
  listSamples: SamplesPage;
  getSample: SampleView;
  listRuns: RunSummary[];
  getRunCurves: RunCurves;
  compareEmbeddingVersions: VersionShift;
  getRecallMatrix: RetrievalApiResults['getRecallMatrix'];
  getRetrievalFailures: RetrievalApiResults['getRetrievalFailures'];
  markRetrievedSame: RetrievalApiResults['markRetrievedSame'];
  listHardNegativeCandidates: RetrievalApiResults['listHardNegativeCandidates'];
  confirmHardNegative: RetrievalApiResults['confirmHardNegative'];
}

export interface ApiErrorInfo {
  code: string;
  message: string;
  hint?: string;
  path?: string;
}

/** The reply that crosses the boundary: a value, or a structured error. */
export type ApiReply<M extends ApiMethod> = { ok: true; value: ApiResults[M] } | { ok: false; error: ApiErrorInfo };

/** The typed API the renderer uses, whichever bridge implements it. */
export interface ApronApi {
  call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResults[M]>;
  /** URL for a file token from a `SampleView`, served only from inside the dataset's root. */
  fileUrl(token: string): string;
}

/** The error the bridges throw on the renderer side, carrying the structured fields. */
export class ApiCallError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(info: ApiErrorInfo) {
    super(info.message);
    this.name = 'ApiCallError';
    this.code = info.code;
    this.hint = info.hint;
  }
}

export { REVIEW_ORDERS, reviewOrderSchema } from './contract-review.js';
export type {
  AdjudicationItemRecord,
  AdjudicationList,
  AgreementReport,
  AuditEntryRecord,
  AuditLogPage,
  CalibrationBlockRecord,
  ConflictRecord,
  PairReviewRecord,
  ReviewApiResults,
  ReviewerPairAgreementRecord,
  ReviewerVerdictRecord,
  ReviewEstimate,
  ReviewOrder,
  SliceEstimateRecord,
} from './contract-review.js';
export { TRAINING_JOB_STATUSES } from './contract-training.js';
export type { TrainingJob, TrainingJobMonitors, TrainingJobStatus } from './contract-training.js';
