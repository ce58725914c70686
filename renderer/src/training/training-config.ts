/**
 * The values of the training form, and the run configuration they send to `startTraining`. The
 * engine validates the configuration (src/train/config.ts) and returns its message for bad fields,
 * so this file checks only what the form itself cannot express: numbers typed as text, and JSON.
 */

export const OBJECTIVE_KINDS = ['infonce', 'nt-xent', 'moco', 'cpc'] as const;
export type ObjectiveKind = (typeof OBJECTIVE_KINDS)[number];

export const WORKER_CHOICES = ['auto', '1', '2'] as const;

export const POSITIVES_KINDS = ['temporal', 'augment', 'place'] as const;
export type PositivesKind = (typeof POSITIVES_KINDS)[number];

export interface TrainingFormValues {
  steps: string;
  batchSize: string;
  learningRate: string;
  temperature: string;
  positivesKind: PositivesKind;
  /** Seconds between an anchor and its temporal positives. */
  windowSeconds: string;
  objectiveKind: ObjectiveKind;
  /** MoCo only: keys kept as negatives. */
  queueSize: string;
  /** MoCo only: moving-average factor of the key encoder. */
  momentum: string;
  hardNegatives: boolean;
  hardNegativeWeight: string;
  /**
   * Seconds within which two samples of one sequence are never a negative pair. The form sends it
   * as maskRules with samePlace, which is the default rule of `apron train`.
   */
  maskTimeWindowSeconds: string;
  /** Worker threads of each training step. */
  workers: (typeof WORKER_CHOICES)[number];
  useDecisions: boolean;
  /** A JSON object whose fields replace those of the form, for settings the form does not show. */
  advancedJson: string;
}

/** The form's first values: the defaults of `apron train`, with 200 steps and the 30 s mask written out. */
export const DEFAULT_FORM_VALUES: TrainingFormValues = {
  steps: '200',
  batchSize: '64',
  learningRate: '0.001',
  temperature: '0.1',
  positivesKind: 'temporal',
  windowSeconds: '1',
  objectiveKind: 'infonce',
  queueSize: '4096',
  momentum: '0.999',
  hardNegatives: false,
  hardNegativeWeight: '1',
  maskTimeWindowSeconds: '30',
  workers: 'auto',
  useDecisions: true,
  advancedJson: '',
};

export type BuiltConfig = { ok: true; config: Record<string, unknown>; useDecisions: boolean } | { ok: false; error: string };

/** Builds the run configuration of the form, or returns the first field that is not a number or not valid JSON. */
export function buildRunConfig(values: TrainingFormValues): BuiltConfig {
  const numbers: Array<[string, string]> = [
    ['steps', values.steps],
    ['batch size', values.batchSize],
    ['learning rate', values.learningRate],
    ['temperature', values.temperature],
  ];
  if (values.positivesKind === 'temporal') numbers.push(['positive window', values.windowSeconds]);
  if (values.objectiveKind === 'moco') numbers.push(['queue size', values.queueSize], ['momentum', values.momentum]);
  // Checked even when hard negatives are off, because the weight is sent either way.
  numbers.push(['hard-negative weight', values.hardNegativeWeight]);
  numbers.push(['mask time window', values.maskTimeWindowSeconds]);
  for (const [label, text] of numbers) {
    if (text.trim() === '' || !Number.isFinite(Number(text))) return { ok: false, error: `The ${label} "${text}" is not a number.` };
  }

  const objective: Record<string, unknown> = { kind: values.objectiveKind };
  if (values.objectiveKind === 'moco') {
    objective['queueSize'] = Number(values.queueSize);
    objective['momentum'] = Number(values.momentum);
  }

  const config: Record<string, unknown> = {
    steps: Number(values.steps),
    batchSize: Number(values.batchSize),
    learningRate: Number(values.learningRate),
    temperature: Number(values.temperature),
    positives: values.positivesKind === 'temporal' ? { kind: 'temporal', windowSeconds: Number(values.windowSeconds) } : { kind: values.positivesKind },
    objective,
    hardNegatives: { enabled: values.hardNegatives && values.objectiveKind !== 'cpc', weight: Number(values.hardNegativeWeight) },
    // The same rule as the default of `apron train`; a maskRules object in the advanced JSON replaces it.
    maskRules: { sameSequenceWithinSeconds: Number(values.maskTimeWindowSeconds), samePlace: true },
    workers: values.workers === 'auto' ? 'auto' : Number(values.workers),
  };

  if (values.advancedJson.trim() !== '') {
    let advanced: unknown;
    try {
      advanced = JSON.parse(values.advancedJson);
    } catch (error) {
      return { ok: false, error: `The advanced settings are not valid JSON: ${(error as Error).message}` };
    }
    if (typeof advanced !== 'object' || advanced === null || Array.isArray(advanced)) {
      return { ok: false, error: 'The advanced settings must be a JSON object, for example {"seed": 2}.' };
    }
    Object.assign(config, advanced);
  }
  return { ok: true, config, useDecisions: values.useDecisions };
}
