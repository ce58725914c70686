/**
 * The positives and masked pairs of a training run. Mining must apply exactly the
 * run's policy: a suspect is a pair the run used as a negative.
 */
import { z } from 'zod';
import { ApronError } from '../core/errors.js';
import { maskRulesSchema, type MaskRules } from '../mask/rules.js';
import { positivesSchema, type Positives } from '../mine/positives.js';

export interface NegativePolicyOfRun {
  maskRules: MaskRules;
  positives: Positives;
}

const runPolicySchema = z.object({ maskRules: maskRulesSchema, positives: positivesSchema });

/** Read the mask rules and positives out of a stored run configuration. */
export function policyOfRunConfig(config: unknown, runId: string): NegativePolicyOfRun {
  const parsed = runPolicySchema.safeParse(config);
  if (!parsed.success) {
    throw new ApronError('invalid-input', `Training run ${runId} has no readable mask rules or positives in its configuration`, {
      hint: 'Mine with embeddings from a run made by this version of Apron, or pass the rules explicitly.',
    });
  }
  return parsed.data;
}
