import { describe, expect, it } from 'vitest';
import { orderActive, scoreItems, type ReviewItem } from '../../src/review/active.js';
import { fitCalibration, predictSame } from '../../src/review/calibration.js';
import { estimateRemaining } from '../../src/review/remaining.js';

function item(queueItemId: number, similarity: number, sequence: string, verdict: ReviewItem['verdict'] = null, decisionId: number | null = null): ReviewItem {
  return { queueItemId, position: queueItemId - 1, similarity, slices: { sequence }, verdict, decisionId };
}

describe('calibration', () => {
  it('pools adjacent violators and smooths', () => {
    const curve = fitCalibration([
      { similarity: 0.3, same: false },
      { similarity: 0.1, same: false },
      { similarity: 0.5, same: true },
      { similarity: 0.2, same: true },
      { similarity: 0.4, same: true },
    ]);
    // Sorted: 0.1 F, 0.2 T, 0.3 F, 0.4 T, 0.5 T. 0.2 (1/1) then 0.3 (0/1) violates, so they pool to 1/2.
    // Smoothed (same + 1) / (decided + 2): 1/3, 2/4, 2/3, 2/3, already non-decreasing.
    expect(curve).toEqual([
      { minSimilarity: 0.1, maxSimilarity: 0.1, decided: 1, same: 0, probability: 1 / 3 },
      { minSimilarity: 0.2, maxSimilarity: 0.3, decided: 2, same: 1, probability: 0.5 },
      { minSimilarity: 0.4, maxSimilarity: 0.4, decided: 1, same: 1, probability: 2 / 3 },
      { minSimilarity: 0.5, maxSimilarity: 0.5, decided: 1, same: 1, probability: 2 / 3 },
    ]);

    expect(predictSame(curve, 0)).toBeCloseTo(1 / 3, 12);
    expect(predictSame(curve, 0.25)).toBeCloseTo(0.5, 12);
    // Halfway between 0.3 (0.5) and 0.4 (2/3): 0.5 + 0.5 * (2/3 - 0.5) = 7/12.
    expect(predictSame(curve, 0.35)).toBeCloseTo(7 / 12, 12);
    expect(predictSame(curve, 0.9)).toBeCloseTo(2 / 3, 12);
    // Block edges take the block's own value.
    expect(predictSame(curve, 0.1)).toBeCloseTo(1 / 3, 12);
    expect(predictSame(curve, 0.2)).toBeCloseTo(0.5, 12);
    expect(predictSame(curve, 0.3)).toBeCloseTo(0.5, 12);
    expect(predictSame(curve, 0.4)).toBeCloseTo(2 / 3, 12);
    expect(predictSame(curve, 0.5)).toBeCloseTo(2 / 3, 12);
  });

  it('ties share one block', () => {
    const curve = fitCalibration([
      { similarity: 0.5, same: true },
      { similarity: 0.5, same: false },
      { similarity: 0.5, same: false },
    ]);
    // One block of 1 same in 3: (1 + 1) / (3 + 2) = 0.4.
    expect(curve).toEqual([{ minSimilarity: 0.5, maxSimilarity: 0.5, decided: 3, same: 1, probability: 0.4 }]);
  });

  it('smoothing keeps the curve non-decreasing', () => {
    // PAV gives 0/1 then 1/10; smoothed they would be 1/3 then 2/12, so the running maximum keeps 1/3.
    const points = [{ similarity: 0.1, same: false }];
    for (let i = 0; i < 10; i++) points.push({ similarity: 0.2 + i / 100, same: i === 9 });
    const probabilities = fitCalibration(points).map((block) => block.probability);
    for (let i = 1; i < probabilities.length; i++) expect(probabilities[i]).toBeGreaterThanOrEqual(probabilities[i - 1]!);
    expect(probabilities[0]).toBeCloseTo(1 / 3, 12);
  });

  it('empty curve predicts nothing', () => {
    expect(fitCalibration([])).toEqual([]);
    expect(predictSame([], 0.5)).toBeNull();
  });
});

/**
 * Sequence A had two high-similarity pairs ruled different; sequence B two lower ones ruled same.
 * The pooled curve is flat: 2 same of 4 -> (2 + 1) / (4 + 2) = 0.5 everywhere.
 * Slice factors (found + 5) / (predicted + 5): A (0 + 5) / (1 + 5) = 5/6, B (2 + 5) / (1 + 5) = 7/6.
 */
const sliceItems: ReviewItem[] = [
  item(1, 0.9, 'A', 'different', 1),
  item(2, 0.85, 'A'),
  item(3, 0.8, 'A', 'different', 2),
  item(4, 0.5, 'B', 'same', 3),
  item(5, 0.45, 'B'),
  item(6, 0.4, 'B', 'same', 4),
  item(7, 0.3, 'B', 'unsure', 5),
];

describe('active order', () => {
  it('slice factor lifts a productive sequence', () => {
    const scores = new Map(scoreItems(sliceItems, 'sequence').map((entry) => [entry.item.queueItemId, entry.probability]));
    expect(scores.get(2)).toBeCloseTo(0.5 * (5 / 6), 12);
    expect(scores.get(5)).toBeCloseTo(0.5 * (7 / 6), 12);

    // Item 5 (similarity 0.45, sequence B) now comes before item 2 (0.85, sequence A); decided items follow by position.
    expect(orderActive(sliceItems).map((entry) => entry.item.queueItemId)).toEqual([5, 2, 1, 3, 4, 6, 7]);
  });

  it('falls back to similarity before any decision', () => {
    const fresh = [item(1, 0.7, 'A'), item(2, 0.9, 'B'), item(3, 0.9, 'A'), item(4, 0.8, 'A', 'unsure', 1)];
    const ordered = orderActive(fresh);
    expect(ordered.map((entry) => entry.item.queueItemId)).toEqual([2, 3, 1, 4]);
    expect(ordered.map((entry) => entry.probability)).toEqual([null, null, null, null]);
  });
});

describe('remaining estimate', () => {
  it('per slice above a threshold', () => {
    const estimate = estimateRemaining(sliceItems, 0.4, ['sequence'], { maxExpectedRemaining: 1.5, window: 0 });
    expect(estimate.slices.map(({ value, itemsAbove, undecidedAbove, foundAbove, labelledAbove }) => [value, itemsAbove, undecidedAbove, foundAbove, labelledAbove])).toEqual([
      ['A', 3, 1, 0, 2],
      ['B', 3, 1, 2, 2],
    ]);
    expect(estimate.slices[0]?.expectedRemaining).toBeCloseTo(5 / 12, 12);
    expect(estimate.slices[1]?.expectedRemaining).toBeCloseTo(7 / 12, 12);
  });

  it('stops below the expected limit', () => {
    // Without slice factors: two undecided items above 0.4 at 0.5 each, 1.0 expected.
    const stopping = estimateRemaining(sliceItems, 0.4, [], { maxExpectedRemaining: 1.5, window: 0 }).stopping;
    expect(stopping.expectedRemaining).toBeCloseTo(1, 12);
    expect(stopping.undecidedAbove).toBe(2);
    expect(stopping.belowTarget).toBe(true);
    expect(stopping.stop).toBe(true);
    expect(stopping.reason).toBe(
      'About 1.0 false negatives are expected among the 2 undecided pairs above similarity 0.400, below your limit of 1.5.',
    );

    const strict = estimateRemaining(sliceItems, 0.4, [], { maxExpectedRemaining: 0.5, window: 0 }).stopping;
    expect(strict.belowTarget).toBe(false);
    expect(strict.stop).toBe(false);
    expect(strict.reason).toBe('About 1.0 false negatives are expected among the 2 undecided pairs above similarity 0.400.');
  });

  it('rounds a large count and the threshold', () => {
    // The curve gives 2/3 at and above 0.9, so 30 undecided pairs at 0.98 are 20 expected.
    const items = [item(1, 0.9, 'A', 'same', 1), item(2, 0.1, 'A', 'different', 2)];
    for (let id = 3; id < 33; id++) items.push(item(id, 0.98, 'A'));
    const stopping = estimateRemaining(items, 0.9715888500213623, [], { maxExpectedRemaining: 1, window: 0 }).stopping;
    expect(stopping.expectedRemaining).toBeCloseTo(20, 9);
    expect(stopping.reason).toBe('About 20 false negatives are expected among the 30 undecided pairs above similarity 0.972.');
  });

  it('stops after a window without same', () => {
    // Latest decisions by id: 5 (unsure), 4 (same), 3 (same), 2, 1.
    const recentSame = estimateRemaining(sliceItems, 0, [], { maxExpectedRemaining: 0, window: 2 }).stopping;
    expect([recentSame.recentDecisions, recentSame.recentSame, recentSame.windowEmpty]).toEqual([2, 1, false]);

    const reordered = sliceItems.map((entry) => ({ ...entry, decisionId: entry.decisionId === null ? null : 10 - entry.decisionId }));
    // Now the latest are items 1 (id 9, different) and 3 (id 8, different).
    const quiet = estimateRemaining(reordered, 0, [], { maxExpectedRemaining: 0, window: 2 }).stopping;
    expect([quiet.recentDecisions, quiet.recentSame, quiet.windowEmpty, quiet.stop]).toEqual([2, 0, true, true]);
    expect(quiet.reason).toBe('The last 2 decisions found no same pair.');
  });

  it('nothing to estimate before calibration', () => {
    const stopping = estimateRemaining([item(1, 0.9, 'A')], 0.5, ['sequence'], { maxExpectedRemaining: 1, window: 10 });
    expect(stopping.slices[0]?.expectedRemaining).toBeNull();
    expect(stopping.stopping.expectedRemaining).toBeNull();
    expect(stopping.stopping.stop).toBe(false);
  });
});
