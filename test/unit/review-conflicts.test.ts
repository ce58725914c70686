import { describe, expect, it } from 'vitest';
import { buildDecisionGroups } from '../../src/mask/groups.js';
import { buildAdjudicationQueue, pairKey } from '../../src/review/adjudication.js';
import { findConflicts } from '../../src/review/conflicts.js';
import { summarizePairReviews, type ReviewDecision } from '../../src/review/verdicts.js';

const pair = (text: string): { a: string; b: string } => {
  const [a, b] = text.split('-') as [string, string];
  return { a, b };
};

function decision(decisionId: number, text: string, reviewer: string, verdict: ReviewDecision['verdict'], role: ReviewDecision['role'] = 'reviewer'): ReviewDecision {
  const { a, b } = pair(text);
  return { decisionId, sampleA: a, sampleB: b, verdict, reviewer, role, note: null, queueId: 'q' };
}

describe('transitive groups', () => {
  it('same pairs join by transitivity', () => {
    const groups = buildDecisionGroups(['a-b', 'b-c', 'x-y', 'c-d'].map(pair), ['a-d', 'a-x'].map(pair));
    expect([...groups.groups.values()]).toEqual([
      ['a', 'b', 'c', 'd'],
      ['x', 'y'],
    ]);
    expect(groups.conflicts).toEqual([pair('a-d')]);
  });
});

describe('conflicts', () => {
  it('shortest chain between the samples', () => {
    // Two routes from a to d: a-b-c-d (three links) and a-e-d (two links).
    const same = ['a-b', 'b-c', 'c-d', 'a-e', 'd-e', 'x-y'].map(pair);
    const conflicts = findConflicts(same, ['a-d', 'a-x', 'b-c'].map(pair));

    expect(conflicts.map((conflict) => conflict.different)).toEqual([pair('a-d'), pair('b-c')]);
    expect(conflicts[0]?.path).toEqual(['a', 'e', 'd']);
    expect(conflicts[0]?.chain).toEqual([pair('a-e'), pair('d-e')]);
    expect(conflicts[0]?.groupId).toBe('a');
    // A pair decided both ways (same by one reading, different by another) is its own one-link chain.
    expect(conflicts[1]?.path).toEqual(['b', 'c']);
    expect(conflicts[1]?.chain).toEqual([pair('b-c')]);
  });

  it('none without a group', () => {
    expect(findConflicts([pair('a-b')], [pair('c-d')])).toEqual([]);
  });
});

describe('pair reviews', () => {
  const reviews = summarizePairReviews([
    decision(1, 'a-b', 'ann', 'same'),
    decision(2, 'a-b', 'bob', 'same'),
    decision(3, 'c-d', 'ann', 'same'),
    decision(4, 'c-d', 'bob', 'different'),
    decision(5, 'e-f', 'ann', 'different'),
    decision(6, 'e-f', 'bob', 'unsure'),
    decision(7, 'g-h', 'ann', 'same'),
    decision(8, 'g-h', 'ann', 'different'),
    decision(9, 'i-j', 'ann', 'same'),
    decision(10, 'i-j', 'bob', 'different'),
    decision(11, 'i-j', 'judge', 'different', 'adjudicator'),
    decision(12, 'k-l', 'judge', 'same', 'adjudicator'),
  ]);
  const byPair = new Map(reviews.map((review) => [`${review.a}-${review.b}`, review]));

  it('status and resolved verdict', () => {
    expect(reviews.map((review) => [`${review.a}-${review.b}`, review.status, review.resolved, review.resolvedBy])).toEqual([
      ['a-b', 'agreed', 'same', 'agreed'],
      ['c-d', 'disagreed', 'same', 'unresolved'],
      ['e-f', 'disagreed', 'unsure', 'unresolved'],
      ['g-h', 'single', 'different', 'single'],
      ['i-j', 'disagreed', 'different', 'adjudicator'],
      ['k-l', 'single', 'same', 'adjudicator'],
    ]);
  });

  it('keeps every reviewer verdict', () => {
    expect(byPair.get('c-d')?.verdicts).toEqual([
      { reviewer: 'ann', verdict: 'same', decisionId: 3 },
      { reviewer: 'bob', verdict: 'different', decisionId: 4 },
    ]);
    expect(byPair.get('g-h')?.verdicts).toEqual([{ reviewer: 'ann', verdict: 'different', decisionId: 8 }]);
    expect(byPair.get('i-j')?.adjudication).toEqual({ reviewer: 'judge', verdict: 'different', decisionId: 11, note: null });
  });

  it('adjudication queue lists open disagreements', () => {
    const open = buildAdjudicationQueue(reviews);
    expect(open.map((entry) => [entry.kind, `${entry.review.a}-${entry.review.b}`])).toEqual([
      ['disagreement', 'c-d'],
      ['disagreement', 'e-f'],
    ]);
    const all = buildAdjudicationQueue(reviews, { includeSettled: true });
    expect(all.map((entry) => `${entry.review.a}-${entry.review.b}`)).toEqual(['c-d', 'e-f', 'i-j']);
    const scoped = buildAdjudicationQueue(reviews, { scope: new Set([pairKey('e', 'f')]) });
    expect(scoped.map((entry) => `${entry.review.a}-${entry.review.b}`)).toEqual(['e-f']);
  });

  it('adjudication queue lists conflicts with their chain', () => {
    const withConflict = summarizePairReviews([
      decision(1, 'a-b', 'ann', 'same'),
      decision(2, 'b-c', 'ann', 'same'),
      decision(3, 'a-c', 'bob', 'different'),
    ]);
    const entries = buildAdjudicationQueue(withConflict);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.kind).toBe('conflict');
    expect(entries[0]?.path).toEqual(['a', 'b', 'c']);
    expect(entries[0]?.chain.map((link) => `${link.a}-${link.b}`)).toEqual(['a-b', 'b-c']);

    // An adjudicator who rules a-c the same removes the conflict.
    const settled = summarizePairReviews([
      decision(1, 'a-b', 'ann', 'same'),
      decision(2, 'b-c', 'ann', 'same'),
      decision(3, 'a-c', 'bob', 'different'),
      decision(4, 'a-c', 'judge', 'same', 'adjudicator'),
    ]);
    expect(buildAdjudicationQueue(settled)).toEqual([]);
  });
});
