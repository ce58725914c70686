/**
 * Result types of the embedding-version comparison in the API (see contract.ts). The renderer
 * imports this file: it must depend on nothing.
 */

export interface MovedPair {
  sampleA: string;
  sampleB: string;
  verdict: 'same' | 'different';
  before: number;
  after: number;
}

export interface VersionShift {
  datasetId: string;
  from: string;
  to: string;
  pairs: MovedPair[];
  /** Mean change in similarity (after minus before) of the pairs of each verdict, or null without any. */
  meanChange: { same: number | null; different: number | null };
  /** Pairs left out because a sample is missing from one of the versions. */
  skipped: number;
  /**
   * The latest queue mined from each version, and the suspects that left the old one (no longer
   * suspected) or entered the new one.
   */
  queues: {
    from: string | null;
    to: string | null;
    left: Array<{ sampleA: string; sampleB: string }>;
    entered: Array<{ sampleA: string; sampleB: string }>;
  };
}

