/**
 * How many false negatives are left in a queue above a similarity threshold, per slice, and when
 * the reviewer may stop. The expected number left is the sum of the estimated P(same) of the
 * undecided items above the threshold: the undecided count times the estimated precision of their
 * similarity band, summed over bands.
 */
import type { StoppingStateRecord } from '../api/contract-review.js';
import { compareSampleIds } from '../store/pair-order.js';
import type { CalibrationBlock } from './calibration.js';
import { calibrateQueue, scoreItems, type ReviewItem } from './active.js';

export interface SliceEstimate {
  field: string;
  value: string;
  /** Items of the slice with similarity at or above the threshold. */
  itemsAbove: number;
  undecidedAbove: number;
  /** Decided `same` above the threshold: false negatives already found. */
  foundAbove: number;
  /** Decided `same` or `different` above the threshold. */
  labelledAbove: number;
  /** Estimated false negatives among the undecided items above the threshold, or null before any calibration. */
  expectedRemaining: number | null;
}

export interface StoppingRule {
  /** Stop when the expected false negatives left above the threshold fall below this number. */
  maxExpectedRemaining: number;
  /** Stop when the latest this-many decisions of the queue found no `same`. */
  window: number;
}

/** The API's record of the stopping state is the state itself: one definition serves both. */
export type StoppingState = StoppingStateRecord;

export interface RemainingEstimate {
  threshold: number;
  curve: CalibrationBlock[];
  slices: SliceEstimate[];
  stopping: StoppingState;
}

/**
 * Estimates per value of each slice field, plus the stopping state over the whole queue. Each
 * field's estimates use that field's slice factors, so their totals can differ slightly by field.
 */
export function estimateRemaining(
  items: readonly ReviewItem[],
  threshold: number,
  sliceFields: readonly string[],
  rule: StoppingRule,
): RemainingEstimate {
  const curve = calibrateQueue(items);
  const slices: SliceEstimate[] = [];
  for (const field of sliceFields) {
    const byValue = new Map<string, SliceEstimate>();
    for (const { item, probability } of scoreItems(items, field)) {
      const value = item.slices[field];
      if (value === undefined || item.similarity < threshold) continue;
      const slice = byValue.get(value) ?? {
        field,
        value,
        itemsAbove: 0,
        undecidedAbove: 0,
        foundAbove: 0,
        labelledAbove: 0,
        expectedRemaining: curve.length === 0 ? null : 0,
      };
      slice.itemsAbove++;
      if (item.verdict === null) {
        slice.undecidedAbove++;
        if (slice.expectedRemaining !== null && probability !== null) slice.expectedRemaining += probability;
      } else if (item.verdict !== 'unsure') {
        slice.labelledAbove++;
        if (item.verdict === 'same') slice.foundAbove++;
      }
      byValue.set(value, slice);
    }
    const fieldSlices = [...byValue.values()];
    fieldSlices.sort((left, right) => compareSampleIds(left.value, right.value));
    slices.push(...fieldSlices);
  }

  return { threshold, curve, slices, stopping: stoppingState(items, curve, threshold, rule) };
}

/** Formats an expected count: one decimal below 10, where it decides against a small limit, else a whole number. */
function formatExpectedCount(count: number): string {
  return count < 10 ? count.toFixed(1) : String(Math.round(count));
}

function stoppingState(items: readonly ReviewItem[], curve: readonly CalibrationBlock[], threshold: number, rule: StoppingRule): StoppingState {
  // The stopping total uses the curve alone, without slice factors, so it does not depend on a field.
  const above = scoreItems(items, '').filter((entry) => entry.item.similarity >= threshold && entry.item.verdict === null);
  const expectedRemaining = curve.length === 0 ? null : above.reduce((sum, entry) => sum + (entry.probability ?? 0), 0);

  const recent = items
    .filter((item) => item.verdict !== null && item.decisionId !== null)
    .sort((left, right) => right.decisionId! - left.decisionId!)
    .slice(0, rule.window);
  const recentSame = recent.filter((item) => item.verdict === 'same').length;

  const belowTarget = expectedRemaining !== null && expectedRemaining < rule.maxExpectedRemaining;
  const windowEmpty = rule.window > 0 && recent.length >= rule.window && recentSame === 0;
  let reason: string;
  if (belowTarget) {
    reason = `About ${formatExpectedCount(expectedRemaining)} false negatives are expected among the ${above.length} undecided pairs above similarity ${threshold.toFixed(3)}, below your limit of ${rule.maxExpectedRemaining}.`;
  } else if (windowEmpty) {
    reason = `The last ${rule.window} decisions found no same pair.`;
  } else if (expectedRemaining === null) {
    reason = 'No same or different decision yet, so nothing is estimated.';
  } else {
    reason = `About ${formatExpectedCount(expectedRemaining)} false negatives are expected among the ${above.length} undecided pairs above similarity ${threshold.toFixed(3)}.`;
  }

  return {
    expectedRemaining,
    undecidedAbove: above.length,
    recentDecisions: recent.length,
    recentSame,
    belowTarget,
    windowEmpty,
    stop: belowTarget || windowEmpty,
    reason,
  };
}
