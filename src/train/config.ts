/**
 * The configuration of a training run, validated with zod. Every field has a default, so `{}` is a
 * valid configuration; `parseRunConfig` fills the defaults and reports invalid fields by path.
 *
 * The defaults were tuned on KITTI odometry sequence 00 as 64x64 BEV rasters (4,541 scans at
 * 10 Hz), with the mask rule "same sequence within 30 s", on the wasm backend on one core of a
 * shared 2-core machine (Node 20.20). Quality is loop-closure recall@1: for each of the 907 scans
 * with a true revisit (within 10 m) among the scans more than 300 earlier, whether the most
 * similar of those earlier scans is a revisit. Normalised cross-correlation of pooled pixels
 * scores 0.805.
 * - 200 steps of 64 anchors (the default): recall@1 0.854. The 1,000 most similar pairs were all
 *   revisits, and R-precision over the 29,747 revisit pairs was 0.43 (pixel correlation: 0.19).
 *   Training took 80 to 110 s, depending on the load of the machine (about 125 to 160 anchor
 *   samples per second). 100 steps gave 0.831 in about 60 s. 300 steps gave recall@1 0.853 and
 *   R-precision 0.50 in 140 to 210 s: set steps to 300 when the ranking beyond the top matters.
 * - Flattening the last feature map beat global average pooling: 0.854 against 0.813 at 200 steps.
 * - Temporal window 1 s (about 10 m at KITTI's speeds): 0.5 s and 1 s scored alike, 2 s lower
 *   (0.795 against 0.808 with average pooling).
 * - Temperature 0.1 scored 0.854, 0.05 scored 0.842 (flattened, 200 steps); with average pooling
 *   0.05, 0.1 and 0.2 scored within 0.011 of each other.
 * - Augmentation: without it recall@1 fell from 0.808 to 0.776. Rotations beyond 5 degrees hurt
 *   (0.824 at 5, 0.807 at 30, 0.636 at 180 degrees), because most revisits keep their heading.
 */
import { z } from 'zod';
import { ApronError } from '../core/errors.js';
import { maskRulesSchema } from '../mask/rules.js';
import { augmentationSchema } from './augment.js';
import type { EncoderConfig } from './encoder.js';
import { positivesSchema } from '../mine/positives.js';
import { augmentationPolicySchema } from './objectives/augment-policy.js';

/**
 * The contrastive objective of a run.
 * - `infonce`: masked InfoNCE over the sampler's positives.
 * - `nt-xent`: SimCLR over two augmented views of each sample.
 * - `moco`: queries scored against a queue of keys from a momentum encoder.
 * - `cpc`: the embedding `predictSteps` samples ahead in a sequence, predicted from a context over
 *   the samples before it.
 */
export const objectiveSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('infonce') }),
  z.object({
    kind: z.literal('nt-xent'),
    /**
     * Augmentation policy per modality, which replaces `augmentation` for this objective. Absent:
     * the default policy of the dataset's image modality. Positives are always two views of one sample.
     */
    policy: augmentationPolicySchema.optional(),
  }),
  z.object({
    kind: z.literal('moco'),
    /** Keys kept as negatives. It must be at least batchSize. */
    queueSize: z.number().int().min(2).max(65536).default(4096),
    /** Moving-average factor m of key = m * key + (1 - m) * query. */
    momentum: z.number().min(0).lt(1).default(0.999),
    /** Queue entries that are never negatives for a query. An entry of the query's own sample never is. */
    queueMask: z
      .object({
        /** Same sequence within this many seconds. */
        sameSequenceWithinSeconds: z.number().min(0).optional(),
        samePlace: z.boolean().default(true),
        /** Same group of reviewers' `same` decisions. */
        sameDecisionGroup: z.boolean().default(true),
      })
      .default({ sameSequenceWithinSeconds: 30, samePlace: true, sameDecisionGroup: true }),
  }),
  z.object({
    kind: z.literal('cpc'),
    /** Largest prediction offset k, in samples. */
    predictSteps: z.number().int().min(1).max(16).default(3),
    /** Samples either side of the target, in its sequence, that are never negatives. */
    neutralWindow: z.number().int().min(0).max(64).default(1),
    /** Samples w averaged by the context network. */
    contextWindow: z.number().int().min(1).max(64).default(4),
    /** Dimension of the context vector. */
    contextDim: z.number().int().min(1).max(4096).default(64),
    /** Consecutive samples T of one sequence per window. It must exceed predictSteps. */
    sequenceLength: z.number().int().min(2).max(256).default(8),
    /** Windows S per batch, drawn from different sequences while there are enough. */
    sequencesPerBatch: z.number().int().min(1).max(256).default(4),
    negativesPerAnchor: z.number().int().min(1).max(4096).default(32),
  }),
]);

/** Reviewers' `different` pairs put into batches as negatives, optionally up-weighted. */
export const hardNegativesSchema = z.object({
  enabled: z.boolean().default(false),
  /** Decided pairs placed in each batch (both samples, so the pair is a negative). */
  perBatch: z.number().int().min(0).max(512).default(4),
  /** Weight of a decided pair in the loss's denominator. A weight of 1 counts it like any other negative. */
  weight: z.number().positive().max(100).default(1),
});

export type ObjectiveConfig = z.infer<typeof objectiveSchema>;

// Training and mining share one definition, because mining must apply the run's positives exactly.
export { positivesSchema } from '../mine/positives.js';

// Strict, so that a misspelt field is an error rather than a silently different run.
export const runConfigSchema = z
  .strictObject({
    /** Encoder input size in pixels. The image stack must be decoded at this size. */
    imageSize: z
      .object({ width: z.number().int().min(16).max(512), height: z.number().int().min(16).max(512) })
      .default({ width: 64, height: 64 }),
    embeddingDim: z.number().int().positive().max(4096).default(128),
    encoder: z
      .object({
        channels: z.array(z.number().int().positive().max(1024)).min(1).max(6).default([16, 32, 64, 128]),
        normGroups: z.number().int().positive().default(8),
        hiddenDim: z.number().int().positive().max(4096).default(256),
        pooling: z.enum(['average', 'flatten']).default('flatten'),
      })
      .default({ channels: [16, 32, 64, 128], normGroups: 8, hiddenDim: 256, pooling: 'flatten' }),
    /** Optimizer steps. When absent, `epochs` passes over the anchor samples decide the count. */
    steps: z.number().int().positive().optional(),
    epochs: z.number().positive().optional(),
    /** Anchor samples per step. Each brings a positive view, so a step embeds 2 x batchSize images. */
    batchSize: z.number().int().min(2).max(1024).default(64),
    learningRate: z.number().positive().max(1).default(1e-3),
    temperature: z.number().min(0.01).max(10).default(0.1),
    positives: positivesSchema.default({ kind: 'temporal', windowSeconds: 1 }),
    augmentation: augmentationSchema.default({ maxShiftFraction: 0.05, maxRotationDegrees: 5, brightness: 0.1, contrast: 0.2 }),
    maskRules: maskRulesSchema.default({ samePlace: true }),
    seed: z.number().int().nonnegative().default(1),
    objective: objectiveSchema.default({ kind: 'infonce' }),
    hardNegatives: hardNegativesSchema.default({ enabled: false, perBatch: 4, weight: 1 }),
    /**
     * Worker threads of the training steps. `auto` takes two where the machine has two cores and
     * the objective has a data-parallel step (masked InfoNCE, with or without hard negatives),
     * otherwise one. Two workers give the same steps up to float rounding.
     */
    workers: z.union([z.literal('auto'), z.literal(1), z.literal(2)]).default('auto'),
  })
  .refine((config) => config.steps === undefined || config.epochs === undefined, {
    message: 'set either steps or epochs, not both',
    path: ['steps'],
  })
  .superRefine((config, context) => {
    if (config.objective.kind !== 'moco' || config.objective.queueSize >= config.batchSize) return;
    context.addIssue({
      code: 'custom',
      message: `the MoCo queue of ${config.objective.queueSize} keys must hold at least one batch of ${config.batchSize} (queueSize >= batchSize)`,
      path: ['objective', 'queueSize'],
    });
  })
  .refine((config) => config.objective.kind !== 'cpc' || config.objective.sequenceLength > config.objective.predictSteps, {
    message: 'sequenceLength must exceed predictSteps, so that every window has a target',
    path: ['objective', 'sequenceLength'],
  })
  .refine((config) => !config.hardNegatives.enabled || config.objective.kind !== 'cpc', {
    message: 'hard negatives need infonce, nt-xent or moco; cpc scores windows of a sequence, not pairs of samples',
    path: ['hardNegatives', 'enabled'],
  })
  .refine((config) => !config.hardNegatives.enabled || 2 * config.hardNegatives.perBatch <= config.batchSize, {
    message: 'hardNegatives.perBatch pairs need 2 x perBatch anchors, more than batchSize',
    path: ['hardNegatives', 'perBatch'],
  })
  .refine((config) => config.encoder.channels.every((channels) => channels % config.encoder.normGroups === 0), {
    message: 'every channel count must be a multiple of normGroups',
    path: ['encoder', 'channels'],
  });

export type RunConfig = z.infer<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;

/** Steps when neither `steps` nor `epochs` is set. */
export const DEFAULT_STEPS = 200;

/** Validates a run configuration and fills its defaults, or throws an ApronError naming the bad fields. */
export function parseRunConfig(input: unknown): RunConfig {
  const parsed = runConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('; ');
  throw new ApronError('invalid-input', `Invalid training configuration: ${issues}`, {
    hint: 'Fix the listed fields; every field is optional and has a default.',
  });
}

/** Returns the encoder architecture that a run configuration describes. */
export function encoderConfigOf(config: RunConfig): EncoderConfig {
  return {
    imageHeight: config.imageSize.height,
    imageWidth: config.imageSize.width,
    channels: config.encoder.channels,
    normGroups: config.encoder.normGroups,
    hiddenDim: config.encoder.hiddenDim,
    embeddingDim: config.embeddingDim,
    pooling: config.encoder.pooling,
  };
}

/** Returns the number of optimizer steps a run takes over `anchorCount` anchor samples. */
export function totalSteps(config: RunConfig, anchorCount: number): number {
  if (config.steps !== undefined) return config.steps;
  if (config.epochs !== undefined) return Math.max(1, Math.ceil((config.epochs * anchorCount) / config.batchSize));
  return DEFAULT_STEPS;
}
