/**
 * Cross-modal pairs of a dataset, loaded once per run. Every camera of a sample that also has a
 * sweep is one pair, so a nuScenes sample with six cameras gives six pairs that share one sweep.
 * Camera-BEV runs pair each camera with the sample's BEV raster in the same way.
 *
 * A BEV raster is decoded grey at the BEV encoder's input size. Only image rasters are read:
 * NumPy rasters (Argoverse 2 ground height) hold heights, not pixel values, and are skipped.
 *
 * The camera frame is decoded grey at the source size (a multiple of the encoder input, so that
 * crops keep detail). The sweep's points are cropped to the camera's frustum when the camera has
 * a calibration, then moved into the vehicle frame when the calibration gives the LiDAR-to-ego
 * transform (nuScenes). Otherwise they stay in the LiDAR frame.
 */
import { ApronError } from '../../core/errors.js';
import { decodeGrey, type GreyImage } from '../../dataset/images.js';
import { READER_FORMAT } from '../../dataset/importers/check-sensor-files.js';
import { resolveCalibration } from '../../dataset/importers/resolve-calibration.js';
import { resolveSamplePath, type LoadedDataset } from '../../dataset/manifest-io.js';
import type { Sample } from '../../dataset/manifest.js';
import type { CameraCalibration } from '../../sensors/calibration/types.js';
import { getIntensity, getPositions } from '../../sensors/lidar/point-cloud.js';
import { readPointCloudFile } from '../../sensors/lidar/read-file.js';
import { projectPoints } from '../../sensors/projection/project.js';
import { POINT_FEATURES } from '../pointnet.js';
import type { PartnerModality } from './config.js';

interface PairBase {
  /** `sampleId/cameraName`. */
  pairId: string;
  sampleId: string;
  camera: string;
  /** The grey camera frame at the source size. */
  image: GreyImage;
}

export interface CameraLidarPair extends PairBase {
  partner: 'lidar';
  /** Row-major points of 4 floats: x, y, z in metres and intensity scaled to 0..1. */
  points: Float32Array;
  /** `ego` when the points were moved into the vehicle frame, `lidar` when they are in the sensor frame. */
  frame: 'ego' | 'lidar';
  /** Whether the points were cropped to the camera's frustum. */
  cropped: boolean;
}

export interface CameraBevPair extends PairBase {
  partner: 'bev';
  /** The sample's first BEV raster, grey at the BEV encoder's input size. */
  raster: GreyImage;
}

export type CrossModalPair = CameraLidarPair | CameraBevPair;

export interface LoadPairsOptions {
  /** The modality paired with the camera frames (default `lidar`). */
  partner?: PartnerModality;
  /** Size of the decoded grey frames. */
  sourceSize: { width: number; height: number };
  /** Size of the decoded BEV rasters, for camera-BEV pairs. */
  bevSize?: { width: number; height: number };
  cropToFrustum: boolean;
  /** Pairs with fewer points after the crop are skipped, because they carry almost no geometry. */
  minPoints?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface LoadedPairs {
  pairs: CrossModalPair[];
  /** Pairs left out, each with the reason. */
  skipped: { pairId: string; reason: string }[];
}

const DEFAULT_MIN_POINTS = 32;

/** Loads every pair of the dataset's camera frames with its sweeps or BEV rasters, or throws when fewer than two remain. */
export async function loadCrossModalPairs(dataset: LoadedDataset, options: LoadPairsOptions): Promise<LoadedPairs> {
  const loaded = options.partner === 'bev' ? await loadBevPairs(dataset, options) : await loadLidarPairs(dataset, options);
  if (loaded.pairs.length < 2) {
    const { skipped } = loaded;
    const kind = options.partner === 'bev' ? 'camera-BEV' : 'camera-LiDAR';
    const example = options.partner === 'bev' ? 'a BEV raster (for example the demo dataset)' : 'a LiDAR sweep (for example kitti-nuscenes-demo or pjlab-lidar-camera)';
    throw new ApronError('invalid-input', `Dataset ${dataset.manifest.name} has ${loaded.pairs.length} usable ${kind} pair(s); cross-modal training needs at least 2`, {
      path: dataset.manifestPath,
      hint:
        `Import a dataset whose samples have both a camera image and ${example}.` +
        (skipped.length > 0 ? ` Skipped: ${skipped.map((entry) => `${entry.pairId} (${entry.reason})`).join('; ')}.` : ''),
    });
  }
  return loaded;
}

async function loadLidarPairs(dataset: LoadedDataset, options: LoadPairsOptions): Promise<LoadedPairs> {
  const candidates = dataset.manifest.samples.flatMap((sample) =>
    sample.lidar.length === 0 ? [] : sample.cameras.map((camera) => ({ sample, camera: camera.name, path: camera.path })),
  );
  const pairs: CameraLidarPair[] = [];
  const skipped: LoadedPairs['skipped'] = [];
  const minPoints = options.minPoints ?? DEFAULT_MIN_POINTS;

  for (const [index, candidate] of candidates.entries()) {
    const pairId = `${candidate.sample.sampleId}/${candidate.camera}`;
    const calibration = calibrationOf(dataset, candidate.sample, candidate.camera);
    const { points, cropped } = await readPairPoints(dataset, candidate.sample, calibration, options.cropToFrustum);
    const count = points.length / POINT_FEATURES;
    if (count < minPoints) {
      skipped.push({ pairId, reason: `${count} point(s) ${cropped ? 'in the camera frustum' : 'in the sweep'}, fewer than ${minPoints}` });
      options.onProgress?.(index + 1, candidates.length);
      continue;
    }

    const lidarToEgo = calibration?.lidarToEgo;
    if (lidarToEgo !== undefined) transformInPlace(points, lidarToEgo);
    const image = await decodeGrey(resolveSamplePath(dataset, candidate.path), options.sourceSize);
    pairs.push({
      partner: 'lidar',
      pairId,
      sampleId: candidate.sample.sampleId,
      camera: candidate.camera,
      image,
      points,
      frame: lidarToEgo === undefined ? 'lidar' : 'ego',
      cropped,
    });
    options.onProgress?.(index + 1, candidates.length);
  }
  return { pairs, skipped };
}

async function loadBevPairs(dataset: LoadedDataset, options: LoadPairsOptions): Promise<LoadedPairs> {
  const bevSize = options.bevSize ?? { width: 64, height: 64 };
  const candidates = dataset.manifest.samples.flatMap((sample) =>
    sample.bev.length === 0 ? [] : sample.cameras.map((camera) => ({ sample, camera: camera.name, path: camera.path })),
  );
  const pairs: CameraBevPair[] = [];
  const skipped: LoadedPairs['skipped'] = [];
  // A sample's raster is decoded once, however many cameras it has.
  const rasters = new Map<string, GreyImage>();

  for (const [index, candidate] of candidates.entries()) {
    const pairId = `${candidate.sample.sampleId}/${candidate.camera}`;
    const bev = candidate.sample.bev[0]!;
    if (bev.format === 'npy') {
      skipped.push({ pairId, reason: `its BEV raster ${bev.name} is a NumPy array of values, not an image` });
      options.onProgress?.(index + 1, candidates.length);
      continue;
    }

    let raster = rasters.get(candidate.sample.sampleId);
    if (raster === undefined) {
      raster = await decodeGrey(resolveSamplePath(dataset, bev.path), bevSize);
      rasters.set(candidate.sample.sampleId, raster);
    }
    const image = await decodeGrey(resolveSamplePath(dataset, candidate.path), options.sourceSize);
    pairs.push({ partner: 'bev', pairId, sampleId: candidate.sample.sampleId, camera: candidate.camera, image, raster });
    options.onProgress?.(index + 1, candidates.length);
  }
  return { pairs, skipped };
}

/** Returns the camera's calibration, or undefined when the sample has none for it. */
function calibrationOf(dataset: LoadedDataset, sample: Sample, camera: string): CameraCalibration | undefined {
  const file = sample.cameras.find((entry) => entry.name === camera);
  if ((file?.calibrationId ?? sample.calibrationId) === undefined) return undefined;
  return resolveCalibration(dataset, sample, camera);
}

/** Reads the sample's first sweep as 4-float points in the LiDAR frame, cropped to the frustum when asked and possible. */
async function readPairPoints(
  dataset: LoadedDataset,
  sample: Sample,
  calibration: CameraCalibration | undefined,
  cropToFrustum: boolean,
): Promise<{ points: Float32Array; cropped: boolean }> {
  const sweep = sample.lidar[0]!;
  const cloud = await readPointCloudFile(resolveSamplePath(dataset, sweep.path), READER_FORMAT[sweep.format]);
  const positions = getPositions(cloud);
  const intensity = getIntensity(cloud);
  const intensityScale = intensityScaleOf(intensity);

  const crop = cropToFrustum && calibration !== undefined;
  const indices = crop ? projectPoints(positions, calibration).indices : Uint32Array.from({ length: cloud.count }, (_, i) => i);
  const points = new Float32Array(indices.length * POINT_FEATURES);
  for (const [row, index] of indices.entries()) {
    points[row * POINT_FEATURES] = positions.x[index]!;
    points[row * POINT_FEATURES + 1] = positions.y[index]!;
    points[row * POINT_FEATURES + 2] = positions.z[index]!;
    points[row * POINT_FEATURES + 3] = intensity === undefined ? 0 : Math.min(1, Math.max(0, (intensity[index] ?? 0) / intensityScale));
  }
  return { points, cropped: crop };
}

/**
 * Returns the divisor that maps the sweep's intensities to 0..1. Formats disagree on the range
 * (KITTI stores reflectance in 0..1, nuScenes and most PCD files 0..255), so anything above 1 is
 * read as 8-bit, and the sweep's maximum is used where it exceeds 255.
 */
function intensityScaleOf(intensity: ArrayLike<number> | undefined): number {
  if (intensity === undefined) return 1;
  let max = 0;
  for (let i = 0; i < intensity.length; i++) max = Math.max(max, intensity[i] ?? 0);
  if (max <= 1) return 1;
  return Math.max(255, max);
}

/** Applies a row-major 4x4 rigid transform to the x, y, z of each 4-float point. */
function transformInPlace(points: Float32Array, transform: number[]): void {
  const m = (index: number): number => transform[index] ?? 0;
  for (let offset = 0; offset < points.length; offset += POINT_FEATURES) {
    const x = points[offset]!;
    const y = points[offset + 1]!;
    const z = points[offset + 2]!;
    points[offset] = m(0) * x + m(1) * y + m(2) * z + m(3);
    points[offset + 1] = m(4) * x + m(5) * y + m(6) * z + m(7);
    points[offset + 2] = m(8) * x + m(9) * y + m(10) * z + m(11);
  }
}
