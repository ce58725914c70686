/**
 * The Apron dataset manifest, version 1: one JSON file that lists every sample of a dataset with
 * its metadata and the files of each modality. Importers write it; everything else reads it.
 *
 * File paths inside a manifest are relative to `root`, which is itself absolute or relative to
 * the folder that contains the manifest. The data files are never copied: a manifest points at them.
 * The format is documented in docs/manifest.md; a change that breaks old readers bumps `version`.
 */
import { z } from 'zod';

export const MANIFEST_FORMAT = 'apron-manifest';
export const MANIFEST_VERSION = 1;

/**
 * Integer nanoseconds; JSON numbers lose precision past 2^53 ns (104 days), so strings are accepted
 * too. A bigint is accepted so that a parsed manifest can be validated and written again.
 */
const timestampNs = z
  .union([z.string().regex(/^-?\d+$/, 'must be an integer number of nanoseconds'), z.number().int(), z.bigint()])
  .transform((value) => BigInt(value));

export const poseSchema = z.object({
  x: z.number().finite(),
  y: z.number().finite(),
  z: z.number().finite().default(0),
  /** Heading about the vertical axis in radians, counter-clockwise from the site frame's x axis. */
  yaw: z.number().finite(),
});

export const imageFileSchema = z.object({
  /** Camera or raster name, unique within the sample (for example `front`, `bev`). */
  name: z.string().min(1),
  path: z.string().min(1),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** Calibration of this camera, when it differs from the sample's `calibrationId`. */
  calibrationId: z.string().min(1).optional(),
});

export const bevFileSchema = imageFileSchema.extend({
  /** Ground distance covered by one pixel, in metres. */
  metresPerPixel: z.number().positive().optional(),
  /** `ego`: centred on the vehicle and turned with its heading; `north-up`: aligned with the site frame. */
  frame: z.enum(['ego', 'north-up']).default('ego'),
  /** `png`: an image; `npy`: a NumPy array (such as Argoverse 2 ground height). Omitted means an image. */
  format: z.enum(['png', 'npy']).optional(),
  /** Sim(2) JSON that maps site (city) coordinates to raster pixels, for a north-up raster. */
  sim2Path: z.string().min(1).optional(),
});

export const lidarFileSchema = z.object({
  name: z.string().min(1),
  path: z.string().min(1),
  format: z.enum(['kitti-bin', 'nuscenes-pcd-bin', 'pcd', 'ply', 'av2-feather']),
});

/** One object seen in a sample, with its box in the site frame, where the source has annotations. */
export const objectSchema = z.object({
  /** Stable across samples: the same physical object keeps its track id on every visit. */
  trackId: z.string().min(1),
  /** Object class, for example `belt-loader` or `aircraft-narrow-body`. */
  class: z.string().min(1),
  /** Box centre, size and heading in the site frame, in metres and radians. */
  box: z
    .object({
      x: z.number().finite(),
      y: z.number().finite(),
      z: z.number().finite(),
      length: z.number().positive(),
      width: z.number().positive(),
      height: z.number().positive(),
      yaw: z.number().finite(),
    })
    .optional(),
});

export const CALIBRATION_FORMATS = ['kitti-json', 'kitti-text', 'nuscenes-json', 'pjlab-json', 'pjlab-text'] as const;

/**
 * One camera calibration file set, which samples name by `calibrationId`. `paths` contains one file,
 * except for `pjlab-json`, which lists the intrinsic JSON and then the extrinsic JSON.
 */
export const calibrationSchema = z.object({
  calibrationId: z.string().min(1),
  format: z.enum(CALIBRATION_FORMATS),
  paths: z.array(z.string().min(1)).min(1).max(2),
  /** Camera name inside the file (for example `CAM2`, `CAM_FRONT`, `center_camera`). */
  camera: z.string().min(1),
  /** Image size in pixels, for formats whose file does not store it (or stores a wrong one). */
  imageWidth: z.number().int().positive().optional(),
  imageHeight: z.number().int().positive().optional(),
});

export const sampleSchema = z.object({
  sampleId: z.string().min(1),
  sequenceId: z.string().min(1),
  routeId: z.string().optional(),
  routeSegment: z.string().optional(),
  site: z.string().optional(),
  timestampNs,
  calibrationId: z.string().optional(),
  weather: z.string().optional(),
  timeOfDay: z.string().optional(),
  season: z.string().optional(),
  pose: poseSchema.optional(),
  placeId: z.string().optional(),
  trackIds: z.array(z.string()).optional(),
  /** Annotated objects in view, with their classes; `trackIds` lists the same ids for readers that need only those. */
  objects: z.array(objectSchema).optional(),
  cameras: z.array(imageFileSchema).default([]),
  bev: z.array(bevFileSchema).default([]),
  lidar: z.array(lidarFileSchema).default([]),
  /** Vector map JSON (Argoverse 2 layout) in the site frame, relative to `root`. */
  mapPath: z.string().min(1).optional(),
});

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  name: z.string().min(1),
  /** Folder that sample file paths are relative to. */
  root: z.string().min(1),
  /** Provenance: the importer, the source path and the import time. */
  source: z
    .object({ importer: z.string(), path: z.string(), importedAt: z.string() })
    .optional(),
  /** The condition fields that vary in this dataset, in display order (for example `season`). */
  conditionFields: z.array(z.enum(['weather', 'timeOfDay', 'season'])).default([]),
  samples: z.array(sampleSchema).min(1, 'a dataset needs at least one sample'),
  /** Calibration file sets that samples and cameras refer to by `calibrationId`. */
  calibrations: z.array(calibrationSchema).default([]),
});

export type Pose = z.infer<typeof poseSchema>;
export type ImageFile = z.infer<typeof imageFileSchema>;
export type BevFile = z.infer<typeof bevFileSchema>;
export type CalibrationEntry = z.infer<typeof calibrationSchema>;
export type SampleObject = z.infer<typeof objectSchema>;
export type LidarFile = z.infer<typeof lidarFileSchema>;
export type Sample = z.infer<typeof sampleSchema>;
export type Manifest = z.infer<typeof manifestSchema>;
/** The manifest as written to JSON, before defaults and transforms. */
export type ManifestInput = z.input<typeof manifestSchema>;
export type SampleInput = z.input<typeof sampleSchema>;
