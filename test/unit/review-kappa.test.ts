import { describe, expect, it } from 'vitest';
import { cohenKappa, fleissKappa, summarizeAgreement } from '../../src/review/kappa.js';
import { summarizePairReviews, type ReviewDecision } from '../../src/review/verdicts.js';

function decision(decisionId: number, pair: string, reviewer: string, verdict: ReviewDecision['verdict']): ReviewDecision {
  const [sampleA, sampleB] = pair.split('-') as [string, string];
  return { decisionId, sampleA, sampleB, verdict, reviewer, role: 'reviewer', note: null, queueId: 'q' };
}

describe('cohen kappa', () => {
  it('2x2 table', () => {
    // 50 pairs. Rater 1 rates yes on 25 (20 + 5), rater 2 on 30 (20 + 10).
    // po = (20 + 15) / 50 = 0.7
    // pe = (25/50)(30/50) + (25/50)(20/50) = 0.3 + 0.2 = 0.5
    // kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    expect(cohenKappa([
      [20, 5],
      [10, 15],
    ])).toBeCloseTo(0.4, 12);
  });

  it('3x3 table with unsure', () => {
    // Rows (rater 1) and columns (rater 2): same, different, unsure. 40 pairs, 30 on the diagonal.
    // Row sums 13, 20, 7; column sums 14, 18, 8.
    // po = 30/40 = 0.75
    // pe = (13*14 + 20*18 + 7*8) / 40^2 = (182 + 360 + 56) / 1600 = 598/1600 = 0.37375
    // kappa = (0.75 - 0.37375) / (1 - 0.37375) = 0.37625 / 0.62625 = 301/501
    expect(cohenKappa([
      [10, 2, 1],
      [3, 15, 2],
      [1, 1, 5],
    ])).toBeCloseTo(301 / 501, 12);
  });

  it('perfect and chance-level agreement', () => {
    expect(cohenKappa([
      [3, 0],
      [0, 2],
    ])).toBeCloseTo(1, 12);
    // Marginals 0.5/0.5 on both sides and po = 0.5 = pe.
    expect(cohenKappa([
      [1, 1],
      [1, 1],
    ])).toBeCloseTo(0, 12);
  });

  it('undefined cases are null', () => {
    expect(cohenKappa([
      [0, 0],
      [0, 0],
    ])).toBeNull();
    // Every rating in one category: pe = 1.
    expect(cohenKappa([
      [4, 0],
      [0, 0],
    ])).toBeNull();
  });

  it('rejects a table that is not square', () => {
    expect(() => cohenKappa([[1, 2], [3]])).toThrow(RangeError);
  });
});

describe('fleiss kappa', () => {
  it('4 items, 3 raters, 3 categories', () => {
    // Pi = (sum of squared counts - n) / (n (n - 1)) with n = 3:
    //   [3,0,0] -> (9 - 3)/6 = 1;  [0,3,0] -> 1;  [2,1,0] -> (4 + 1 - 3)/6 = 1/3;  [1,1,1] -> (3 - 3)/6 = 0
    // P = (1 + 1 + 1/3 + 0) / 4 = 7/12
    // Category totals 6, 5, 1 of 12 ratings: Pe = (36 + 25 + 1) / 144 = 31/72
    // kappa = (7/12 - 31/72) / (1 - 31/72) = (11/72) / (41/72) = 11/41
    const counts = [
      [3, 0, 0],
      [0, 3, 0],
      [2, 1, 0],
      [1, 1, 1],
    ];
    expect(fleissKappa(counts)).toBeCloseTo(11 / 41, 12);
    // An item with one rating carries no agreement and is skipped.
    expect(fleissKappa([...counts, [1, 0, 0]])).toBeCloseTo(11 / 41, 12);
  });

  it('items with different rater counts', () => {
    // [2,0] -> (4 - 2)/2 = 1;  [1,1,0] with n = 2 -> (1 + 1 - 2)/2 = 0;  [2,1] with n = 3 -> (4 + 1 - 3)/6 = 1/3
    // P = (1 + 0 + 1/3) / 3 = 4/9
    // Category totals 5 and 2 of 7 ratings: Pe = (25 + 4) / 49 = 29/49
    // kappa = (4/9 - 29/49) / (1 - 29/49) = ((196 - 261)/441) / (20/49) = (-65/441) * (49/20) = -13/36
    expect(fleissKappa([
      [2, 0],
      [1, 1],
      [2, 1],
    ])).toBeCloseTo(-13 / 36, 12);
  });

  it('no item with two ratings is null', () => {
    expect(fleissKappa([[1, 0, 0]])).toBeNull();
    expect(fleissKappa([])).toBeNull();
  });
});

describe('agreement summary', () => {
  it('reviewer pairs and queue kappa', () => {
    const reviews = summarizePairReviews([
      decision(1, 'a-b', 'ann', 'same'),
      decision(2, 'a-b', 'bob', 'same'),
      decision(3, 'c-d', 'ann', 'different'),
      decision(4, 'c-d', 'bob', 'same'),
      decision(5, 'e-f', 'ann', 'unsure'),
      decision(6, 'e-f', 'bob', 'unsure'),
      decision(7, 'e-f', 'cat', 'different'),
      decision(8, 'g-h', 'cat', 'same'),
      // ann changes her verdict on a-b twice; only her latest one (same) counts.
      decision(9, 'a-b', 'ann', 'different'),
      decision(10, 'a-b', 'ann', 'same'),
    ]);
    const summary = summarizeAgreement(reviews);

    expect(summary.reviewers).toEqual(['ann', 'bob', 'cat']);
    expect(summary.pairsWithSeveralReviewers).toBe(3);
    expect(summary.disagreedPairs).toBe(2);

    const annBob = summary.byReviewerPair.find((entry) => entry.reviewerA === 'ann' && entry.reviewerB === 'bob');
    // ann/bob: a-b same/same, c-d different/same, e-f unsure/unsure.
    expect(annBob?.pairs).toBe(3);
    expect(annBob?.agreed).toBe(2);
    expect(annBob?.confusion).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
    // po = 2/3; ann's marginals (1, 1, 1)/3, bob's (2, 0, 1)/3: pe = (1*2 + 1*0 + 1*1)/9 = 1/3
    // kappa = (2/3 - 1/3) / (1 - 1/3) = 1/2
    expect(annBob?.kappa).toBeCloseTo(0.5, 12);

    // ann/cat and bob/cat share only e-f, where they disagree, and each side used one category: pe = 0, kappa = 0.
    expect(summary.byReviewerPair.map((entry) => [entry.reviewerA, entry.reviewerB, entry.pairs, entry.kappa])).toEqual([
      ['ann', 'bob', 3, annBob?.kappa],
      ['ann', 'cat', 1, 0],
      ['bob', 'cat', 1, 0],
    ]);
    expect(summary.meanPairwiseKappa).toBeCloseTo(0.5 / 3, 12);

    // Fleiss over a-b [2,0,0], c-d [1,1,0], e-f [0,1,2]:
    // P = (1 + 0 + (1 + 4 - 3)/6) / 3 = (1 + 1/3) / 3 = 4/9
    // totals 3, 2, 2 of 7: Pe = (9 + 4 + 4)/49 = 17/49
    // kappa = (4/9 - 17/49) / (32/49) = ((196 - 153)/441) * (49/32) = (43/441) * (49/32) = 43/288
    expect(summary.fleissKappa).toBeCloseTo(43 / 288, 12);
  });
});
