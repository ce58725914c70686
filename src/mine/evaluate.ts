/**
 * Measure a suspect list against known truth: precision at several cut-offs, and the random
 * baseline (uniformly drawn pairs that training treated as negatives).
 */
import { ApronError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Sample } from '../dataset/manifest.js';
import type { MaskRules } from '../mask/rules.js';
import { createNegativeTest } from './negatives.js';
import { pairKey, type SamplePair } from './pairs.js';
import type { Positives } from './positives.js';

export { readPairCsv, toPairSet, type IndexPair } from './ground-truth-csv.js';

export interface PrecisionAtK {
  k: number;
  /** True pairs among the first k, divided by k (missing entries count as false, as in trec_eval). */
  precision: number;
  truePairs: number;
  /** Entries actually looked at: k, or fewer when the list is shorter. */
  evaluated: number;
}

export function precisionAtK(
  suspects: readonly { sampleA: string; sampleB: string }[],
  isTrue: (a: string, b: string) => boolean,
  ks: readonly number[],
): PrecisionAtK[] {
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) throw new ApronError('invalid-input', `Each k of precision@k must be a positive integer, got ${k}`);
  }
  const maxK = Math.max(0, ...ks);
  const evaluated = Math.min(maxK, suspects.length);

  // Running count of true pairs, so every k reads its count in one step.
  const trueBefore = new Int32Array(evaluated + 1);
  for (let position = 0; position < evaluated; position++) {
    const suspect = suspects[position]!;
    trueBefore[position + 1] = trueBefore[position]! + (isTrue(suspect.sampleA, suspect.sampleB) ? 1 : 0);
  }

  return ks.map((k) => {
    const seen = Math.min(k, suspects.length);
    const truePairs = trueBefore[seen]!;
    return { k, precision: truePairs / k, truePairs, evaluated: seen };
  });
}

export interface RandomPair {
  sampleA: string;
  sampleB: string;
  indexA: number;
  indexB: number;
}

/**
 * `count` distinct unordered pairs drawn uniformly from the pairs that training treated as
 * negatives, with `indexA < indexB`. Raises an error when the draws keep landing on masked pairs
 * (fewer than about 1 in 100 pairs are negatives) or the dataset has too few pairs.
 */
export function randomUnmaskedPairs(
  samples: readonly Sample[],
  rules: MaskRules,
  positives: Positives,
  count: number,
  rng: Rng,
  options: { samePairs?: readonly SamplePair[] } = {},
): RandomPair[] {
  const total = samples.length;
  const allPairs = (total * (total - 1)) / 2;
  if (!Number.isInteger(count) || count < 0 || count > allPairs) {
    throw new ApronError('invalid-input', `Cannot draw ${count} random pairs from ${total} samples (${allPairs} pairs in all)`, {
      hint: 'Ask for fewer pairs.',
    });
  }

  const negatives = createNegativeTest(samples, { rules, positives, samePairs: options.samePairs ?? [] });
  const seen = new Set<string>();
  const pairs: RandomPair[] = [];
  const maxAttempts = 1000 + 100 * count;
  for (let attempt = 0; attempt < maxAttempts && pairs.length < count; attempt++) {
    // An ordered draw of two different indices, then sorted, is uniform over unordered pairs.
    const first = rng.int(total);
    const second = rng.int(total);
    if (first === second) continue;
    const indexA = Math.min(first, second);
    const indexB = Math.max(first, second);
    if (!negatives.isNegative(indexA, indexB)) continue;
    const sampleA = samples[indexA]!.sampleId;
    const sampleB = samples[indexB]!.sampleId;
    const key = pairKey(sampleA, sampleB);
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push({ sampleA, sampleB, indexA, indexB });
  }

  if (pairs.length < count) {
    throw new ApronError('invalid-input', `Found only ${pairs.length} of ${count} random negative pairs after ${maxAttempts} draws`, {
      hint: 'The mask rules and positives leave almost no negatives; loosen them or ask for fewer pairs.',
    });
  }
  return pairs;
}
