/**
 * The values of the training form, and the run configuration they send to `startTraining`. The
 * engine validates the configuration (src/train/config.ts, and src/train/crossmodal/config.ts for
 * `clip`) and returns its message for bad fields, so this file checks only what the form itself
 * cannot express: numbers typed as text, and JSON.
 */

/** The single-encoder objectives, and `clip`: camera frames against LiDAR sweeps or BEV rasters. */
export const OBJECTIVE_KINDS = ['infonce', 'nt-xent', 'moco', 'cpc', 'clip'] as const;
export type ObjectiveKind = (typeof OBJECTIVE_KINDS)[number];

/** The modality a `clip` run pairs with camera frames. */
export const CLIP_PARTNERS = ['lidar', 'bev'] as const;

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
  /** CLIP only: the modality paired with camera frames. */
  clipPartner: (typeof CLIP_PARTNERS)[number];
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
  clipPartner: 'lidar',
  hardNegatives: false,
  hardNegativeWeight: '1',
  maskTimeWindowSeconds: '30',
  workers: 'auto',
  useDecisions: true,
  advancedJson: '',
};

/**
 * Returns the form's first values for a dataset. Where every sample has a place id (the demo's
 * aircraft stands, Nordland's frames across seasons), samples of one place in other sequences are
 * the positives that same-place retrieval needs. Temporal positives may find none there, because
 * frames can lie further apart than the window. Elsewhere the values are those of `apron train`.
 */
export function formDefaultsFor(dataset: { sampleCount: number; withPlaceId: number }): TrainingFormValues {
  const everySampleHasPlace = dataset.sampleCount > 0 && dataset.withPlaceId === dataset.sampleCount;
  return everySampleHasPlace ? { ...DEFAULT_FORM_VALUES, positivesKind: 'place' } : DEFAULT_FORM_VALUES;
}

/** CLIP's starting temperature, the cross-modal default; single-encoder runs default to 0.1. */
const CLIP_TEMPERATURE = '0.07';

/**
 * Returns the values with another objective. The temperature follows the objective's default
 * (0.07 for clip, 0.1 otherwise) while it is still the other default, and is kept once typed.
 */
export function withObjective(values: TrainingFormValues, objectiveKind: ObjectiveKind): TrainingFormValues {
  let temperature = values.temperature;
  if (objectiveKind === 'clip' && values.objectiveKind !== 'clip' && temperature === DEFAULT_FORM_VALUES.temperature) temperature = CLIP_TEMPERATURE;
  if (objectiveKind !== 'clip' && values.objectiveKind === 'clip' && temperature === CLIP_TEMPERATURE) temperature = DEFAULT_FORM_VALUES.temperature;
  return { ...values, objectiveKind, temperature };
}

export type BuiltConfig = { ok: true; config: Record<string, unknown>; useDecisions: boolean } | { ok: false; error: string };

/** Builds the run configuration of the form, or returns the first field that is not a number or not valid JSON. */
export function buildRunConfig(values: TrainingFormValues): BuiltConfig {
  if (values.objectiveKind === 'clip') return buildClipConfig(values);
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

  const advanced = parseAdvanced(values.advancedJson);
  if (!advanced.ok) return advanced;
  Object.assign(config, advanced.fields);
  return { ok: true, config, useDecisions: values.useDecisions };
}

/**
 * Builds a cross-modal run's configuration: the optimisation fields, the pair of modalities and
 * the starting temperature, which the run then learns. It uses no reviewer decisions.
 */
function buildClipConfig(values: TrainingFormValues): BuiltConfig {
  const numbers: Array<[string, string]> = [
    ['steps', values.steps],
    ['batch size', values.batchSize],
    ['learning rate', values.learningRate],
    ['temperature', values.temperature],
  ];
  for (const [label, text] of numbers) {
    if (text.trim() === '' || !Number.isFinite(Number(text))) return { ok: false, error: `The ${label} "${text}" is not a number.` };
  }
  const config: Record<string, unknown> = {
    objective: 'clip',
    modalities: ['camera', values.clipPartner],
    steps: Number(values.steps),
    batchSize: Number(values.batchSize),
    learningRate: Number(values.learningRate),
    initialTemperature: Number(values.temperature),
  };
  const advanced = parseAdvanced(values.advancedJson);
  if (!advanced.ok) return advanced;
  Object.assign(config, advanced.fields);
  return { ok: true, config, useDecisions: false };
}

/** Parses the advanced JSON box: empty, or an object whose fields replace the form's. */
function parseAdvanced(text: string): { ok: true; fields: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, fields: {} };
  let advanced: unknown;
  try {
    advanced = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `The advanced settings are not valid JSON: ${(error as Error).message}` };
  }
  if (typeof advanced !== 'object' || advanced === null || Array.isArray(advanced)) {
    return { ok: false, error: 'The advanced settings must be a JSON object, for example {"seed": 2}.' };
  }
  return { ok: true, fields: advanced as Record<string, unknown> };
}
