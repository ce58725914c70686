/**
 * Result types of the training-run calls of the API (see contract.ts). Like contract.ts, the
 * renderer imports this file: it must depend on nothing.
 */

export interface RunSummary {
  runId: string;
  datasetId: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  decisionsUsed: number | null;
  /** The run configuration as recorded at start. */
  config: unknown;
  backend: string | null;
  /** Steps done in total, including those of the checkpoint a resumed run started from. */
  step: number | null;
  /** Steps this run itself trained. */
  stepsRun: number | null;
  /** Mean loss of the last (up to) 10 steps. */
  finalLoss: number | null;
  samplesPerSecond: number | null;
  /** Monitored steps that raised the collapse flag. */
  collapseWarnings: number;
  /** Effective rank at the last monitored step. */
  effectiveRank: number | null;
}

/** One step of a run. The monitor fields are present on the steps that computed them. */
export interface RunCurvePoint {
  step: number;
  loss: number;
  maskedFraction: number;
  samplesPerSecond: number;
  chanceLoss?: number;
  effectiveRank?: number;
  topOneAccuracy?: number;
  alignment?: number;
  uniformity?: number;
  normMean?: number;
  normMin?: number;
  positiveSimilarity?: number;
  hardestNegativeSimilarity?: number;
  /** Present for objectives that report their temperature in the monitors. */
  temperature?: number;
  /** Present for objectives with a queue of negatives (MoCo): the share of the queue filled so far. */
  queueFilledFraction?: number;
  collapsed?: boolean;
  collapseReasons?: string[];
}

export interface RunCurves {
  runId: string;
  points: RunCurvePoint[];
  /** True when the log was too long and only its last part was read. */
  truncated: boolean;
}
