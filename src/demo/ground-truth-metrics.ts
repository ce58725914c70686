/**
 * Measures on the demo dataset against its ground truth: the stand each sample faces (`placeId`),
 * the visit (`sequenceId`), the conditions and the objects in view.
 *
 * A true false negative is a pair of samples of the same stand from different visits: a training
 * run that uses only augmented views as positives treats it as a negative. A true look-alike hard
 * negative is a pair of different stands where the same class of aircraft is parked at both (or
 * both are empty): different places that look alike.
 */
import type { Sample } from '../dataset/manifest.js';

export interface QueueMeasures {
  size: number;
  truePairs: number;
  precision: number;
  /** True false negatives in the queue over all true false-negative pairs of the dataset. */
  recall: number;
  /** Precision of a queue drawn at random from pairs of different visits. */
  randomPrecision: number;
}

export function measureQueue(samples: readonly Sample[], pairs: ReadonlyArray<readonly [string, string]>): QueueMeasures {
  const byId = new Map(samples.map((sample) => [sample.sampleId, sample]));
  let hits = 0;
  for (const [a, b] of pairs) {
    if (isTrueFalseNegative(byId.get(a), byId.get(b))) hits++;
  }

  // Counted per stand and visit, because comparing every pair of 2,000 samples in JS is needless.
  const perStandVisit = new Map<string, Map<string, number>>();
  for (const sample of samples) {
    const stand = sample.placeId ?? '';
    const visits = perStandVisit.get(stand) ?? new Map<string, number>();
    visits.set(sample.sequenceId, (visits.get(sample.sequenceId) ?? 0) + 1);
    perStandVisit.set(stand, visits);
  }
  let truePairs = 0;
  for (const visits of perStandVisit.values()) {
    const total = [...visits.values()].reduce((sum, count) => sum + count, 0);
    truePairs += (total * total - [...visits.values()].reduce((sum, count) => sum + count * count, 0)) / 2;
  }
  const perVisit = new Map<string, number>();
  for (const sample of samples) perVisit.set(sample.sequenceId, (perVisit.get(sample.sequenceId) ?? 0) + 1);
  const differentVisitPairs = (samples.length * samples.length - [...perVisit.values()].reduce((sum, count) => sum + count * count, 0)) / 2;

  return {
    size: pairs.length,
    truePairs: hits,
    precision: pairs.length === 0 ? 0 : hits / pairs.length,
    recall: truePairs === 0 ? 0 : hits / truePairs,
    randomPrecision: differentVisitPairs === 0 ? 0 : truePairs / differentVisitPairs,
  };
}

export function isTrueFalseNegative(a: Sample | undefined, b: Sample | undefined): boolean {
  return a !== undefined && b !== undefined && a.placeId !== undefined && a.placeId === b.placeId && a.sequenceId !== b.sequenceId;
}

export interface RecallCell {
  queries: number;
  hits: number;
  recall: number;
}

export interface RecallByCondition {
  overall: RecallCell;
  byWeather: Record<string, RecallCell>;
  byTimeOfDay: Record<string, RecallCell>;
}

/**
 * Measures same-stand recall@1: for each sample, whether its most similar sample from another visit faces
 * the same stand. `vectors` contains one unit-length row of `dimension` values per sample, in order.
 */
export function sameStandRecallAt1(samples: readonly Sample[], vectors: Float32Array, dimension: number): RecallByCondition {
  const overall = { queries: 0, hits: 0 };
  const byWeather = new Map<string, { queries: number; hits: number }>();
  const byTimeOfDay = new Map<string, { queries: number; hits: number }>();
  const count = (table: Map<string, { queries: number; hits: number }>, key: string, hit: boolean): void => {
    const cell = table.get(key) ?? { queries: 0, hits: 0 };
    cell.queries++;
    if (hit) cell.hits++;
    table.set(key, cell);
  };

  for (const [i, query] of samples.entries()) {
    const best = nearest(samples, vectors, dimension, i, (candidate) => candidate.sequenceId !== query.sequenceId);
    if (best === -1) continue;
    const hit = samples[best]?.placeId === query.placeId;
    overall.queries++;
    if (hit) overall.hits++;
    count(byWeather, query.weather ?? 'unknown', hit);
    count(byTimeOfDay, query.timeOfDay ?? 'unknown', hit);
  }
  return { overall: cell(overall), byWeather: cells(byWeather), byTimeOfDay: cells(byTimeOfDay) };
}

export interface LookAlikeMeasures {
  candidates: number;
  lookAlikes: number;
  share: number;
  /** Share of look-alikes among all pairs of different stands: what random candidates would give. */
  randomShare: number;
}

/** Hard-negative candidates: each sample's most similar sample of another stand. */
export function lookAlikeShare(samples: readonly Sample[], vectors: Float32Array, dimension: number): LookAlikeMeasures {
  const aircraft = samples.map(parkedAircraftClass);
  let lookAlikes = 0;
  let candidates = 0;
  for (const [i, query] of samples.entries()) {
    const best = nearest(samples, vectors, dimension, i, (candidate) => candidate.placeId !== query.placeId);
    if (best === -1) continue;
    candidates++;
    if (aircraft[best] === aircraft[i]) lookAlikes++;
  }

  let differentStand = 0;
  let alike = 0;
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      if (samples[i]?.placeId === samples[j]?.placeId) continue;
      differentStand++;
      if (aircraft[i] === aircraft[j]) alike++;
    }
  }
  return { candidates, lookAlikes, share: candidates === 0 ? 0 : lookAlikes / candidates, randomShare: differentStand === 0 ? 0 : alike / differentStand };
}

/**
 * Returns the class of the aircraft parked at the stand the sample faces, or `none`. Demo aircraft track ids
 * end in the two-digit stand number (`aircraft-nb-05` is parked at `stand-05`).
 */
export function parkedAircraftClass(sample: Sample): string {
  const stand = sample.placeId?.replace(/^stand-/, '');
  const parked = sample.objects?.find((object) => object.class.startsWith('aircraft') && object.trackId.endsWith(`-${stand}`));
  return parked?.class ?? 'none';
}

function nearest(samples: readonly Sample[], vectors: Float32Array, dimension: number, query: number, allowed: (candidate: Sample) => boolean): number {
  const queryIndex = samples[query];
  if (queryIndex === undefined) return -1;
  let best = -1;
  let bestScore = -Infinity;
  const offset = query * dimension;
  for (let j = 0; j < samples.length; j++) {
    const candidate = samples[j];
    if (j === query || candidate === undefined || !allowed(candidate)) continue;
    let score = 0;
    const other = j * dimension;
    for (let d = 0; d < dimension; d++) score += (vectors[offset + d] ?? 0) * (vectors[other + d] ?? 0);
    if (score > bestScore) {
      bestScore = score;
      best = j;
    }
  }
  return best;
}

function cell(counts: { queries: number; hits: number }): RecallCell {
  return { ...counts, recall: counts.queries === 0 ? 0 : counts.hits / counts.queries };
}

function cells(table: Map<string, { queries: number; hits: number }>): Record<string, RecallCell> {
  return Object.fromEntries([...table.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, counts]) => [key, cell(counts)]));
}
