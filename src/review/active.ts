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

/**
 * Groups items by their value of `sliceField` (items without one form their own group), each group
 * in mined order: similarity highest first, then position. Inside one group every item has the
 * same slice factor, and the calibrated curve never falls as similarity rises, so a group's
 * estimates never rise along this order. orderActivePage relies on that to merge the groups.
 */
export function groupBySlice(items: readonly ReviewItem[], sliceField: string): ReviewItem[][] {
  const groups = new Map<string | undefined, ReviewItem[]>();
  for (const item of items) {
    const value = item.slices[sliceField];
    const group = groups.get(value);
    if (group === undefined) groups.set(value, [item]);
    else group.push(item);
  }
  const sorted = [...groups.values()];
  for (const group of sorted) group.sort((left, right) => right.similarity - left.similarity || left.position - right.position);
  return sorted;
}

/**
 * Returns `orderActive(items, sliceField).slice(offset, offset + limit)` without scoring and sorting
 * the whole queue: it merges the slice groups of groupBySlice, whose heads are the only candidates
 * for the next place. `groups` must hold exactly the items of `items`, with their current verdicts.
 */
export function orderActivePage(
  items: readonly ReviewItem[],
  groups: readonly (readonly ReviewItem[])[],
  offset: number,
  limit: number,
  sliceField = 'sequence',
): ScoredItem[] {
  const curve = calibrateQueue(items);
  const factors = sliceFactors(items, curve, sliceField);
  const probabilityOf = (item: ReviewItem): number | null => {
    const base = predictSame(curve, item.similarity);
    if (base === null) return null;
    const value = item.slices[sliceField];
    const factor = value === undefined ? 1 : (factors.get(value) ?? 1);
    return Math.min(1, base * factor);
  };

  const end = offset + limit;
  const page: ScoredItem[] = [];
  const heads = groups.map(() => 0);
  let emitted = 0;
  while (emitted < end) {
    // The best head by the order of orderActive: estimate, then similarity, then position.
    let best = -1;
    let bestEntry: ScoredItem | undefined;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      while (heads[g]! < group.length && group[heads[g]!]!.verdict !== null) heads[g]!++;
      const item = group[heads[g]!];
      if (item === undefined) continue;
      const entry = { item, probability: probabilityOf(item) };
      if (bestEntry === undefined || compareActive(entry, bestEntry) < 0) {
        best = g;
        bestEntry = entry;
      }
    }
    if (bestEntry === undefined) break;
    heads[best]!++;
    if (emitted >= offset) page.push(bestEntry);
    emitted++;
  }
  if (emitted >= end) return page;

  // The page reaches past the undecided items into the decided ones, which follow in position order.
  const decided = items.filter((item) => item.verdict !== null).sort((left, right) => left.position - right.position);
  for (const item of decided.slice(Math.max(0, offset - emitted), end - emitted)) page.push({ item, probability: probabilityOf(item) });
  return page;
}

function compareActive(left: ScoredItem, right: ScoredItem): number {
  return (
    (right.probability ?? 0) - (left.probability ?? 0) ||
    right.item.similarity - left.item.similarity ||
    left.item.position - right.item.position
  );
}
