/**
 * Decide which pairs a training run treated as negatives. A negative is any pair of two different
 * samples that is not a positive, not masked by a rule and not inside one group of reviewers'
 * `same` decisions.
 */
import { createLogger } from '../core/log.js';
import type { Sample } from '../dataset/manifest.js';
import { buildDecisionGroups } from '../mask/groups.js';
import { matchingRule, toRuleSubject, type MaskRules } from '../mask/rules.js';
import type { SamplePair } from './pairs.js';
import { isPositivePair, type Positives } from './positives.js';

const log = createLogger('mine');

export interface NegativePolicy {
  rules: MaskRules;
  positives: Positives;
  /** Reviewers' `same` decisions, closed transitively. Pairs naming unknown samples are ignored. */
  samePairs?: readonly SamplePair[];
}

/** Why a pair is not a negative: `self`, `positive`, `same-decision` or the name of a mask rule. */
export type NotNegativeReason = 'self' | 'positive' | 'same-decision' | string;

export interface NegativeTest {
  /** The reason pair (i, j) of sample indices is not a negative, or undefined when it is one. */
  reasonNotNegative(i: number, j: number): NotNegativeReason | undefined;
  isNegative(i: number, j: number): boolean;
  /** Number of `same` pairs skipped because a sample id is not in this dataset. */
  ignoredSamePairs: number;
}

export function createNegativeTest(samples: readonly Sample[], policy: NegativePolicy): NegativeTest {
  const subjects = samples.map(toRuleSubject);
  const positives = policy.positives;

  const indexOf = new Map<string, number>();
  samples.forEach((sample, index) => indexOf.set(sample.sampleId, index));
  const knownSame = (policy.samePairs ?? []).filter((pair) => indexOf.has(pair.a) && indexOf.has(pair.b));
  const ignoredSamePairs = (policy.samePairs?.length ?? 0) - knownSame.length;
  if (ignoredSamePairs > 0) {
    log.warn(`ignored ${ignoredSamePairs} same decision(s) that name samples not in this dataset`);
  }

  // Group number per sample index (-1: in no group), so the check in the hot loop is two array reads.
  const groups = buildDecisionGroups(knownSame);
  const groupNumber = new Int32Array(samples.length).fill(-1);
  const numberOfRoot = new Map<string, number>();
  for (const [sampleId, root] of groups.groupOf) {
    let number = numberOfRoot.get(root);
    if (number === undefined) {
      number = numberOfRoot.size;
      numberOfRoot.set(root, number);
    }
    groupNumber[indexOf.get(sampleId)!] = number;
  }

  const reasonNotNegative = (i: number, j: number): NotNegativeReason | undefined => {
    if (i === j) return 'self';
    if (isPositivePair(samples[i]!, samples[j]!, positives)) return 'positive';
    const rule = matchingRule(subjects[i]!, subjects[j]!, policy.rules);
    if (rule !== undefined) return rule;
    const group = groupNumber[i]!;
    if (group >= 0 && group === groupNumber[j]) return 'same-decision';
    return undefined;
  };

  return {
    reasonNotNegative,
    isNegative: (i, j) => reasonNotNegative(i, j) === undefined,
    ignoredSamePairs,
  };
}
