/**
 * Mine suspected false negatives: pairs that training treated as negatives but that the encoder
 * embeds close together. Each sample contributes its most similar valid negatives; the union is
 * ranked by similarity, and each unordered pair appears once.
 */
import type { Evidence } from '../api/contract.js';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import type { Sample } from '../dataset/manifest.js';
import type { MaskRules } from '../mask/rules.js';
import { exactSearch, type VectorSearch } from '../search/vector-search.js';
import { computeEvidence } from './evidence.js';
import { createNegativeTest } from './negatives.js';
import { pairKey, PairSet, type SamplePair } from './pairs.js';
import type { Positives } from './positives.js';

const log = createLogger('mine');

/** Default number of suspects each sample contributes before pairs are merged and ranked. */
export const DEFAULT_PER_SAMPLE = 10;

export interface MineOptions {
  /** The dataset's samples in manifest order; row i of `vectors` embeds `samples[i]`. */
  samples: readonly Sample[];
  /** L2-normalised embeddings, `samples.length` rows of `dimension` float32 values. */
  vectors: Float32Array;
  dimension: number;
  maskRules: MaskRules;
  positives: Positives;
  /** Reviewers' `same` decisions: these pairs, and pairs linked through them, are masked. */
  samePairs?: readonly SamplePair[];
  /**
   * Pairs already decided. They still count in the rank (training still uses a `different` or
   * `unsure` pair as a negative) but are not returned again.
   */
  excludePairs?: PairSet;
  /** Suspects per sample before merging; default DEFAULT_PER_SAMPLE. */
  perSample?: number;
  /** Maximum number of suspects returned; default all. */
  limit?: number;
  /**
   * Index over `vectors` (row i is sample i), for example the HNSW index from openVectorSearch.
   * Default: exact search. Either way the negative test filters candidates inside the search.
   */
  search?: VectorSearch;
  /** Progress of the similarity pass: row pairs scored (exact) or query rows searched (HNSW) so far, and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** A pair suspected to be a false negative. `sampleA` is the sample whose neighbour list ranked `sampleB`. */
export interface Suspect {
  sampleA: string;
  sampleB: string;
  indexA: number;
  indexB: number;
  evidence: Evidence;
}

interface Candidate {
  indexA: number;
  indexB: number;
  similarity: number;
  rank: number;
}

export function mineFalseNegatives(options: MineOptions): Suspect[] {
  const { samples, vectors, dimension } = options;
  const perSample = options.perSample ?? DEFAULT_PER_SAMPLE;
  checkCount('perSample', perSample);
  if (options.limit !== undefined) checkCount('limit', options.limit);
  if (vectors.length !== samples.length * dimension) {
    throw new ApronError(
      'invalid-input',
      `Embeddings have ${vectors.length / dimension} rows of dimension ${dimension}, but the dataset has ${samples.length} samples`,
      { hint: 'Use embeddings computed for this dataset snapshot, or compute them again after re-importing.' },
    );
  }

  const negatives = createNegativeTest(samples, {
    rules: options.maskRules,
    positives: options.positives,
    samePairs: options.samePairs ?? [],
  });
  const excluded = options.excludePairs ?? new PairSet();

  // A sample's list must reach past its decided pairs to still yield `perSample` new suspects.
  // NOTE: k is the same for every row, so one sample with thousands of decisions makes every list
  // that long (12 bytes per entry: 100k samples x 1,000 entries is 1.2 GB).
  const decidedPerSample = countPerSample(samples, excluded);
  const k = perSample + decidedPerSample.reduce((max, count) => Math.max(max, count), 0);

  const index = options.search ?? exactSearch(vectors, dimension);
  if (index.count !== samples.length) {
    throw new ApronError('invalid-input', `Search index has ${index.count} rows, but the dataset has ${samples.length} samples`, {
      hint: 'Open the index over the same embedding version as the vectors.',
    });
  }
  const table = index.topKAll(k, {
    filter: negatives.isNegative,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });

  const best = new Map<string, Candidate>();
  for (let a = 0; a < samples.length; a++) {
    const idA = samples[a]!.sampleId;
    let fromThisSample = 0;
    table.neighboursOf(a).forEach((neighbour, position) => {
      if (fromThisSample >= perSample) return;
      const idB = samples[neighbour.index]!.sampleId;
      if (excluded.has(idA, idB)) return;
      fromThisSample++;
      const candidate: Candidate = { indexA: a, indexB: neighbour.index, similarity: neighbour.score, rank: position + 1 };
      const key = pairKey(idA, idB);
      const previous = best.get(key);
      if (previous === undefined || candidate.rank < previous.rank || (candidate.rank === previous.rank && candidate.indexA < previous.indexA)) {
        best.set(key, candidate);
      }
    });
  }

  const ranked = [...best.values()].sort(
    (x, y) => y.similarity - x.similarity || x.rank - y.rank || x.indexA - y.indexA || x.indexB - y.indexB,
  );
  const limited = options.limit === undefined ? ranked : ranked.slice(0, options.limit);
  log.info(`mined ${limited.length} suspects from ${samples.length} samples (${ranked.length} before the limit, ${perSample} per sample, ${index.info.kind} search)`);

  return limited.map((candidate) => {
    const a = samples[candidate.indexA]!;
    const b = samples[candidate.indexB]!;
    return {
      sampleA: a.sampleId,
      sampleB: b.sampleId,
      indexA: candidate.indexA,
      indexB: candidate.indexB,
      evidence: computeEvidence(a, b, candidate.similarity, candidate.rank),
    };
  });
}

/** Number of pairs in `pairs` that involve each sample, in manifest order. */
function countPerSample(samples: readonly Sample[], pairs: PairSet): number[] {
  const indexOf = new Map<string, number>();
  samples.forEach((sample, index) => indexOf.set(sample.sampleId, index));
  const counts = new Array<number>(samples.length).fill(0);
  for (const pair of pairs.pairs()) {
    const a = indexOf.get(pair.a);
    const b = indexOf.get(pair.b);
    if (a === undefined || b === undefined) continue;
    counts[a] = counts[a]! + 1;
    counts[b] = counts[b]! + 1;
  }
  return counts;
}

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ApronError('invalid-input', `${name} must be a positive integer, got ${value}`);
  }
}
