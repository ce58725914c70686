/**
 * The configuration of a cross-modal CLIP run, validated with zod: camera frames paired with LiDAR
 * sweeps or with BEV rasters of the same sample. Every field has a default, so `{}` is a valid
 * configuration (camera and LiDAR).
 */
import { z } from 'zod';
import { ApronError } from '../../core/errors.js';
import type { EncoderConfig } from '../encoder.js';
import { bevPolicySchema, cameraPolicySchema, lidarPolicySchema, type BevPolicy, type CameraPolicy, type LidarPolicy } from '../objectives/augment-policy.js';
import { pointNetConfigSchema, type PointNetConfig } from '../pointnet.js';

/**
 * Camera views: crops of at least 60 % of the frame and brightness and contrast jitter. No flips,
 * because mirroring the image without mirroring the sweep would pair a scene with its mirror image.
 * NOTE: these values are a starting point and were not tuned.
 */
export const CROSSMODAL_CAMERA_POLICY: CameraPolicy = {
  modality: 'camera',
  crop: { scale: [0.6, 1], aspectRatio: [3 / 4, 4 / 3] },
  horizontalFlipProbability: 0,
  colourJitter: { probability: 0.8, brightness: 0.3, contrast: 0.3, saturation: 0, hue: 0 },
};

/** LiDAR views: 10 % point dropout, 1 cm jitter and up to 5 degrees about z. NOTE: not tuned either. */
export const CROSSMODAL_LIDAR_POLICY: LidarPolicy = {
  modality: 'lidar',
  pointDropoutProbability: 0.1,
  jitter: { sigmaMetres: 0.01, clipMetres: 0.05 },
  rotationAboutZ: { enabled: true, maxDegrees: 5 },
};

/**
 * BEV views: shifts of up to 5 % of the raster and rotations of up to 5 degrees, as for LiDAR. No
 * flips or colour jitter: a raster's values are heights or occupancy, not colours.
 * NOTE: not tuned either.
 */
export const CROSSMODAL_BEV_POLICY: BevPolicy = {
  modality: 'bev',
  rigidMotionAllowed: true,
  maxTranslationFraction: 0.05,
  maxRotationDegrees: 5,
};

/** The modality trained against camera frames. */
export const PARTNER_MODALITIES = ['lidar', 'bev'] as const;
export type PartnerModality = (typeof PARTNER_MODALITIES)[number];

const imageEncoderSchema = z.object({
  channels: z.array(z.number().int().positive().max(1024)).min(1).max(6).default([16, 32, 64, 128]),
  normGroups: z.number().int().positive().default(8),
  hiddenDim: z.number().int().positive().max(4096).default(256),
  pooling: z.enum(['average', 'flatten']).default('flatten'),
});

// Strict, as the single-encoder configuration is: a misspelt field is an error, not a silently different run.
export const crossModalConfigSchema = z
  .strictObject({
    /**
     * The two modalities: camera frames and LiDAR sweeps, or camera frames and BEV rasters. Each
     * pair of modalities learns its own temperature, saved under the pair's name.
     */
    modalities: z.tuple([z.literal('camera'), z.enum(PARTNER_MODALITIES)]).default(['camera', 'lidar']),
    /** Camera encoder input size in pixels; frames are decoded grey. */
    imageSize: z
      .object({ width: z.number().int().min(16).max(512), height: z.number().int().min(16).max(512) })
      .default({ width: 64, height: 64 }),
    imageEncoder: imageEncoderSchema.default({ channels: [16, 32, 64, 128], normGroups: 8, hiddenDim: 256, pooling: 'flatten' }),
    /** BEV encoder input size in pixels, for camera-BEV runs; rasters are decoded grey at this size. */
    bevSize: z
      .object({ width: z.number().int().min(16).max(512), height: z.number().int().min(16).max(512) })
      .default({ width: 64, height: 64 }),
    /** The convolutional BEV encoder, for camera-BEV runs. */
    bevEncoder: imageEncoderSchema.default({ channels: [16, 32, 64, 128], normGroups: 8, hiddenDim: 256, pooling: 'flatten' }),
    /** The PointNet architecture, for camera-LiDAR runs; its embeddingDim is replaced by the run's. */
    pointNet: pointNetConfigSchema.default(pointNetConfigSchema.parse({})),
    /** Dimension of both modalities' embeddings. */
    embeddingDim: z.number().int().positive().max(4096).default(128),
    steps: z.number().int().positive().default(100),
    /** Camera-LiDAR pairs per step. A dataset with fewer pairs repeats them within a batch. */
    batchSize: z.number().int().min(2).max(1024).default(16),
    learningRate: z.number().positive().max(1).default(1e-3),
    /** Decoupled weight decay (as in AdamW) on the kernels of both encoders; the logit scale is never decayed. */
    weightDecay: z.number().min(0).max(0.1).default(1e-4),
    /** Initial CLIP temperature; the logit scale then learns it. */
    initialTemperature: z.number().min(0.01).max(1).default(0.07),
    /** Keep only the points that project into the camera image, where a calibration exists. */
    cropToFrustum: z.boolean().default(true),
    /** Frames are decoded at this multiple of imageSize, so that a crop keeps detail before it is resized. */
    sourceScale: z.number().min(1).max(4).default(2),
    augmentation: z
      .object({
        camera: cameraPolicySchema.default(CROSSMODAL_CAMERA_POLICY),
        lidar: lidarPolicySchema.default(CROSSMODAL_LIDAR_POLICY),
        bev: bevPolicySchema.default(CROSSMODAL_BEV_POLICY),
      })
      .default({ camera: CROSSMODAL_CAMERA_POLICY, lidar: CROSSMODAL_LIDAR_POLICY, bev: CROSSMODAL_BEV_POLICY }),
    seed: z.number().int().nonnegative().default(1),
  })
  .refine((config) => config.imageEncoder.channels.every((channels) => channels % config.imageEncoder.normGroups === 0), {
    message: 'every channel count must be a multiple of normGroups',
    path: ['imageEncoder', 'channels'],
  })
  .refine((config) => config.bevEncoder.channels.every((channels) => channels % config.bevEncoder.normGroups === 0), {
    message: 'every channel count must be a multiple of normGroups',
    path: ['bevEncoder', 'channels'],
  })
  .refine((config) => config.augmentation.camera.horizontalFlipProbability === 0, {
    message: 'camera flips must be 0 in a cross-modal run, because the sweep is not mirrored with the image',
    path: ['augmentation', 'camera', 'horizontalFlipProbability'],
  });

export type CrossModalConfig = z.infer<typeof crossModalConfigSchema>;
export type CrossModalConfigInput = z.input<typeof crossModalConfigSchema>;

/** Validates a configuration and fills its defaults, or throws an ApronError naming the invalid fields. */
export function parseCrossModalConfig(input: unknown): CrossModalConfig {
  const parsed = crossModalConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('; ');
  throw new ApronError('invalid-input', `Invalid cross-modal training configuration: ${issues}`, {
    hint: 'Fix the listed fields; every field is optional and has a default.',
  });
}

export function imageEncoderConfigOf(config: CrossModalConfig): EncoderConfig {
  return {
    imageHeight: config.imageSize.height,
    imageWidth: config.imageSize.width,
    channels: config.imageEncoder.channels,
    normGroups: config.imageEncoder.normGroups,
    hiddenDim: config.imageEncoder.hiddenDim,
    embeddingDim: config.embeddingDim,
    pooling: config.imageEncoder.pooling,
  };
}

export function bevEncoderConfigOf(config: CrossModalConfig): EncoderConfig {
  return {
    imageHeight: config.bevSize.height,
    imageWidth: config.bevSize.width,
    channels: config.bevEncoder.channels,
    normGroups: config.bevEncoder.normGroups,
    hiddenDim: config.bevEncoder.hiddenDim,
    embeddingDim: config.embeddingDim,
    pooling: config.bevEncoder.pooling,
  };
}

/** Tells whether a run's recorded configuration is a cross-modal one (objective `clip`). */
export function isCrossModalConfig(config: unknown): boolean {
  return typeof config === 'object' && config !== null && (config as { objective?: unknown }).objective === 'clip';
}

/** Returns the modality the run pairs with camera frames. */
export function partnerOf(config: CrossModalConfig): PartnerModality {
  return config.modalities[1];
}

export function pointNetConfigOf(config: CrossModalConfig): PointNetConfig {
  return { ...config.pointNet, embeddingDim: config.embeddingDim };
}
