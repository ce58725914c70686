/**
 * Active review of one queue: order the undecided items so that each decision is as likely as
 * possible to find a false negative, and estimate how many false negatives are left.
 *
 * An item's estimate is the queue's calibrated P(same | similarity) times a slice factor: how many
 * `same` verdicts its slice produced against what the curve predicted for those decided items,
 * shrunk toward 1 by `SLICE_PRIOR_WEIGHT` pseudo-decisions. A sequence where reviewers keep finding
 * false negatives therefore moves up, even at lower similarity.
 */
import type { Verdict } from '../api/contract.js';
import { fitCalibration, predictSame, type CalibrationBlock } from './calibration.js';

/**
 * Pseudo-decisions that pull a slice factor toward 1. Five keeps one surprising verdict from
 * doubling a slice's estimates while letting about ten consistent ones move it. A guess, not tuned.
 */
export const SLICE_PRIOR_WEIGHT = 5;

export interface ReviewItem {
  queueItemId: number;
  position: number;
  similarity: number;
  /** Slice values of the item's query sample, such as `{ sequence: 'A', weather: 'rain' }`. */
  slices: Readonly<Record<string, string>>;
  /** Resolved verdict of the item's pair, or null while undecided. */
  verdict: Verdict | null;
  /** Id of the latest decision on the pair, used to find the most recent decisions; null while undecided. */
  decisionId: number | null;
}

export interface ScoredItem {
  item: ReviewItem;
  /** Estimated P(same); null when the queue has no `same` or `different` decision to calibrate on. */
  probability: number | null;
}

/** Fits the queue's curve on items whose resolved verdict is `same` or `different`. */
export function calibrateQueue(items: readonly ReviewItem[]): CalibrationBlock[] {
  return fitCalibration(
    items
      .filter((item) => item.verdict === 'same' || item.verdict === 'different')
      .map((item) => ({ similarity: item.similarity, same: item.verdict === 'same' })),
  );
}

/** Slice factor for each value of one slice field: (found + prior) / (predicted + prior). */
export function sliceFactors(items: readonly ReviewItem[], curve: readonly CalibrationBlock[], field: string): Map<string, number> {
  const sums = new Map<string, { found: number; predicted: number }>();
  for (const item of items) {
    if (item.verdict !== 'same' && item.verdict !== 'different') continue;
    const value = item.slices[field];
    const probability = predictSame(curve, item.similarity);
    if (value === undefined || probability === null) continue;
    const sum = sums.get(value) ?? { found: 0, predicted: 0 };
    sum.found += item.verdict === 'same' ? 1 : 0;
    sum.predicted += probability;
    sums.set(value, sum);
  }

  const factors = new Map<string, number>();
  for (const [value, sum] of sums) factors.set(value, (sum.found + SLICE_PRIOR_WEIGHT) / (sum.predicted + SLICE_PRIOR_WEIGHT));
  return factors;
}

/** Estimated P(same) of every item, adjusted by the factor of its value of `sliceField`. */
export function scoreItems(items: readonly ReviewItem[], sliceField: string): ScoredItem[] {
  const curve = calibrateQueue(items);
  const factors = sliceFactors(items, curve, sliceField);
  return items.map((item) => {
    const base = predictSame(curve, item.similarity);
    if (base === null) return { item, probability: null };
    const value = item.slices[sliceField];
    const factor = value === undefined ? 1 : (factors.get(value) ?? 1);
    return { item, probability: Math.min(1, base * factor) };
  });
}

/**
 * Orders the queue for active review: undecided items by estimated P(same), highest first, then
 * decided items in position order. Ties, and every undecided item before the first calibrating
 * decision, fall back to similarity (highest first) and then position, which is the mined order.
 */
export function orderActive(items: readonly ReviewItem[], sliceField = 'sequence'): ScoredItem[] {
  const scored = scoreItems(items, sliceField);
  const undecided = scored.filter((entry) => entry.item.verdict === null);
  const decided = scored.filter((entry) => entry.item.verdict !== null);
  undecided.sort(
    (left, right) =>
      (right.probability ?? 0) - (left.probability ?? 0) ||
      right.item.similarity - left.item.similarity ||
      left.item.position - right.item.position,
  );
  decided.sort((left, right) => left.item.position - right.item.position);
  return [...undecided, ...decided];
}
