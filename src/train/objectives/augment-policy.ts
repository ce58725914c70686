/**
 * Per-modality augmentation policies, as data: validated with zod and serialisable to JSON so that
 * a run can log exactly what it applied.
 *
 * - Camera frames: a random resized crop within a bounded scale range, horizontal flips and colour
 *   jitter, the usual SimCLR-style views of a perspective image.
 * - BEV and other map-aligned rasters: no flips and no colour jitter, because a mirrored raster
 *   shows a place that does not exist and raster values are measurements (height, occupancy), not
 *   colours. Small translations and rotations are allowed only where rigid motion keeps the
 *   task's label (`rigidMotionAllowed`). The schema is strict, so a flip field is rejected.
 * - LiDAR point clouds: point dropout, per-point jitter and an optional rotation about the z axis.
 */
import { z } from 'zod';
import { ApronError } from '../../core/errors.js';

const probability = z.number().min(0).max(1);
/** A [min, max] range with min <= max. */
const range = (min: number, max: number) =>
  z
    .tuple([z.number().min(min).max(max), z.number().min(min).max(max)])
    .refine(([low, high]) => low <= high, { message: 'the first value of a range must not exceed the second' });

export const cameraPolicySchema = z.strictObject({
  modality: z.literal('camera'),
  /** Random resized crop: area fraction of the frame, and width / height of the crop. */
  crop: z.strictObject({
    scale: range(0.05, 1),
    aspectRatio: range(0.25, 4),
  }),
  /** Chance of mirroring a view left to right. */
  horizontalFlipProbability: probability,
  /** Colour jitter, each as the largest relative change either way; applied with `probability`. */
  colourJitter: z.strictObject({
    probability,
    brightness: z.number().min(0).max(1),
    contrast: z.number().min(0).max(1),
    saturation: z.number().min(0).max(1),
    hue: z.number().min(0).max(0.5),
  }),
});

export const bevPolicySchema = z
  .strictObject({
    modality: z.literal('bev'),
    /** Whether the task keeps its labels under small rigid motions of the raster. */
    rigidMotionAllowed: z.boolean(),
    /** Largest shift in each axis, as a fraction of the raster size. */
    maxTranslationFraction: z.number().min(0).max(0.1),
    /** Largest rotation either way, in degrees. */
    maxRotationDegrees: z.number().min(0).max(10),
  })
  .refine((policy) => policy.rigidMotionAllowed || (policy.maxTranslationFraction === 0 && policy.maxRotationDegrees === 0), {
    message: 'translation and rotation must be 0 unless rigidMotionAllowed is true',
    path: ['rigidMotionAllowed'],
  });

export const lidarPolicySchema = z.strictObject({
  modality: z.literal('lidar'),
  /** Chance of dropping each point. */
  pointDropoutProbability: z.number().min(0).max(0.9),
  /** Gaussian jitter per coordinate, standard deviation and clip, in metres. */
  jitter: z.strictObject({
    sigmaMetres: z.number().min(0).max(1),
    clipMetres: z.number().min(0).max(5),
  }),
  /** Random rotation about the vertical (z) axis, up to maxDegrees either way, when enabled. */
  rotationAboutZ: z.strictObject({
    enabled: z.boolean(),
    maxDegrees: z.number().min(0).max(180),
  }),
});

export const modalityPolicySchema = z.discriminatedUnion('modality', [cameraPolicySchema, bevPolicySchema, lidarPolicySchema]);

export const augmentationPolicySchema = z
  .strictObject({
    /** Format version of this description, for reading old run logs. */
    version: z.literal(1),
    modalities: z.array(modalityPolicySchema).min(1),
  })
  .refine((policy) => new Set(policy.modalities.map((entry) => entry.modality)).size === policy.modalities.length, {
    message: 'each modality may appear only once',
    path: ['modalities'],
  });

export type CameraPolicy = z.infer<typeof cameraPolicySchema>;
export type BevPolicy = z.infer<typeof bevPolicySchema>;
export type LidarPolicy = z.infer<typeof lidarPolicySchema>;
export type AugmentationPolicy = z.infer<typeof augmentationPolicySchema>;

/**
 * Camera defaults: crops of at least half the frame, flips, and strong colour jitter.
 * NOTE: these values are a starting point and were not tuned on driving data.
 */
export const DEFAULT_CAMERA_POLICY: CameraPolicy = {
  modality: 'camera',
  crop: { scale: [0.5, 1], aspectRatio: [3 / 4, 4 / 3] },
  horizontalFlipProbability: 0.5,
  colourJitter: { probability: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 },
};

/** Matches the defaults of config.ts for BEV rasters: 5 % shift and 5 degrees. */
export const DEFAULT_BEV_POLICY: BevPolicy = {
  modality: 'bev',
  rigidMotionAllowed: true,
  maxTranslationFraction: 0.05,
  maxRotationDegrees: 5,
};

export const DEFAULT_LIDAR_POLICY: LidarPolicy = {
  modality: 'lidar',
  pointDropoutProbability: 0.1,
  jitter: { sigmaMetres: 0.01, clipMetres: 0.05 },
  rotationAboutZ: { enabled: false, maxDegrees: 0 },
};

/** Validates a policy, or throws an ApronError that names each invalid field by its path. */
export function parseAugmentationPolicy(input: unknown): AugmentationPolicy {
  const parsed = augmentationPolicySchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('; ');
  throw new ApronError('invalid-input', `Invalid augmentation policy: ${issues}`, {
    hint: 'Fix the listed fields. BEV policies take no flip or colour fields, and shifts or rotations need rigidMotionAllowed.',
  });
}

/** Serialises a policy to the JSON that the run log stores; parseAugmentationPolicy reads it back. */
export function serializeAugmentationPolicy(policy: AugmentationPolicy): string {
  return JSON.stringify(augmentationPolicySchema.parse(policy));
}

/** Returns the policy of one modality, or undefined when the policy does not augment it. */
export function policyFor<M extends AugmentationPolicy['modalities'][number]['modality']>(
  policy: AugmentationPolicy,
  modality: M,
): Extract<AugmentationPolicy['modalities'][number], { modality: M }> | undefined {
  return policy.modalities.find((entry) => entry.modality === modality) as
    | Extract<AugmentationPolicy['modalities'][number], { modality: M }>
    | undefined;
}
