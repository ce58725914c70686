/**
 * Mask rules: metadata predicates that mark a pair of samples as one that must not be used as a
 * negative.
 *
 * A pair is masked when any enabled rule matches. Rules are not transitive: two scans 20 s apart
 * and a third 20 s later do not make the first and third the same place. Reviewers' `same`
 * decisions are transitive, and `groups.ts` closes them.
 */
import { z } from 'zod';
import type { Sample } from '../dataset/manifest.js';

export const maskRulesSchema = z.object({
  /** Mask pairs from one sequence whose timestamps differ by at most this many seconds. */
  sameSequenceWithinSeconds: z.number().nonnegative().optional(),
  /** Mask pairs that share a `placeId`. */
  samePlace: z.boolean().default(true),
  /** Mask pairs whose poses are within this many metres in the plane (same `site` or no site on both). */
  poseRadiusMetres: z.number().positive().optional(),
});

export type MaskRules = z.infer<typeof maskRulesSchema>;
export type MaskRulesInput = z.input<typeof maskRulesSchema>;

/** The metadata of a sample that the rules read, with the timestamp in seconds for cheap comparison. */
export interface RuleSubject {
  sequenceId: string;
  timeSeconds: number;
  placeId: string | undefined;
  site: string | undefined;
  pose: { x: number; y: number; yaw: number } | undefined;
}

export function toRuleSubject(sample: Sample): RuleSubject {
  return {
    sequenceId: sample.sequenceId,
    timeSeconds: Number(sample.timestampNs) / 1e9,
    placeId: sample.placeId,
    site: sample.site,
    pose: sample.pose === undefined ? undefined : { x: sample.pose.x, y: sample.pose.y, yaw: sample.pose.yaw },
  };
}

/** Name of the first rule that masks the pair, or undefined when the pair is a valid negative. */
export function matchingRule(a: RuleSubject, b: RuleSubject, rules: MaskRules): string | undefined {
  if (
    rules.sameSequenceWithinSeconds !== undefined &&
    a.sequenceId === b.sequenceId &&
    Math.abs(a.timeSeconds - b.timeSeconds) <= rules.sameSequenceWithinSeconds
  ) {
    return 'same-sequence-time';
  }
  if (rules.samePlace && a.placeId !== undefined && a.placeId === b.placeId) return 'same-place';
  if (rules.poseRadiusMetres !== undefined && a.pose !== undefined && b.pose !== undefined && a.site === b.site) {
    const dx = a.pose.x - b.pose.x;
    const dy = a.pose.y - b.pose.y;
    if (dx * dx + dy * dy <= rules.poseRadiusMetres * rules.poseRadiusMetres) return 'pose-radius';
  }
  return undefined;
}

export function isRuleMasked(a: RuleSubject, b: RuleSubject, rules: MaskRules): boolean {
  return matchingRule(a, b, rules) !== undefined;
}
