/** A sample's metadata and references to its camera, LiDAR and BEV data, as the sample and pair views show them. */
import sharp from 'sharp';
import type { CalibrationSummary, FileRef, SampleView } from './contract.js';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { resolveSamplePath, type LoadedDataset } from '../dataset/manifest-io.js';
import type { ImageFile, Sample } from '../dataset/manifest.js';
import { resolveCalibration } from '../dataset/importers/resolve-calibration.js';
import { encodeFileToken, type TokenKind } from './file-token.js';
import { bevEgoPixel, LIDAR_BEV, LIDAR_BEV_PIXELS, lidarToEgoOf } from './sensors/products.js';

const log = createLogger('api');

type MetadataValue = string | number | boolean | null;

/** Sizes read from image headers, by path. Bounded because a long session may page through many pairs. */
const headerSizes = new Map<string, { width: number; height: number }>();
const HEADER_CACHE_LIMIT = 10_000;

/** Builds the sample's view, or throws `not-found` when the manifest no longer lists it. */
export async function buildSampleView(dataset: LoadedDataset, datasetId: string, sampleId: string): Promise<SampleView> {
  const index = dataset.indexOf.get(sampleId);
  const sample = index === undefined ? undefined : dataset.manifest.samples[index];
  if (sample === undefined) {
    throw new ApronError('not-found', `Sample "${sampleId}" is not in the manifest of dataset "${datasetId}".`, {
      path: dataset.manifestPath,
      hint: 'Check the sample id in the dataset\'s sample list. If it came from a review queue, the dataset was re-imported without it: mine the queue again.',
    });
  }

  const token = (kind: TokenKind, fileIndex: number, extra = 0): string => encodeFileToken({ datasetId, sampleId, kind, index: fileIndex, extra });
  const warnings: string[] = [];
  const { calibrations, calibrated } = summarizeCalibrations(dataset, sample, warnings);

  const images: FileRef[] = [];
  for (const [cameraIndex, file] of sample.cameras.entries()) {
    const size = await imageSize(dataset, file);
    images.push({
      ...emptyExtras(),
      kind: 'camera',
      name: file.name,
      width: size?.width ?? null,
      height: size?.height ?? null,
      token: token('camera', cameraIndex),
      projections: calibrated.has(file.name)
        ? sample.lidar.map((sweep, lidarIndex) => ({ lidarName: sweep.name, token: token('projection', cameraIndex, lidarIndex) }))
        : [],
    });
  }

  for (const [bevIndex, file] of sample.bev.entries()) {
    const size = file.format === 'npy' ? sizeFromManifest(file) : await imageSize(dataset, file);
    images.push({
      ...emptyExtras(),
      kind: 'bev',
      name: file.name,
      width: size?.width ?? null,
      height: size?.height ?? null,
      token: token('bev', bevIndex),
      mapToken: sample.mapPath !== undefined && file.sim2Path !== undefined ? token('map', bevIndex) : null,
      metresPerPixel: file.metresPerPixel ?? null,
      egoPixel: guarded(warnings, `BEV raster ${file.name}`, () => bevEgoPixel(dataset, sample, file)),
    });
  }

  for (const [lidarIndex, sweep] of sample.lidar.entries()) {
    images.push({
      ...emptyExtras(),
      kind: 'bev',
      source: 'lidar',
      name: `${sweep.name} density`,
      width: LIDAR_BEV_PIXELS,
      height: LIDAR_BEV_PIXELS,
      token: token('lidar-bev', lidarIndex),
      metresPerPixel: LIDAR_BEV.resolution,
      egoPixel: { column: LIDAR_BEV_PIXELS / 2, row: LIDAR_BEV_PIXELS / 2 },
    });
  }

  const calibratedToEgo = lidarToEgoOf(dataset, sample) !== null;
  const lidar = sample.lidar.map((sweep, lidarIndex) => ({
    name: sweep.name,
    format: sweep.format,
    token: token('lidar', lidarIndex),
    // Argoverse 2 stores its sweeps in the vehicle frame already.
    frame: calibratedToEgo || sweep.format === 'av2-feather' ? ('ego' as const) : ('sensor' as const),
  }));
  return { sampleId, datasetId, metadata: flattenMetadata(sample), images, lidar, calibrations, warnings };
}

function emptyExtras(): Pick<FileRef, 'source' | 'projections' | 'mapToken' | 'metresPerPixel' | 'egoPixel'> {
  return { source: 'file', projections: [], mapToken: null, metresPerPixel: null, egoPixel: null };
}

/** Parses each camera's calibration once, so that the view offers projections only where one exists. */
function summarizeCalibrations(
  dataset: LoadedDataset,
  sample: Sample,
  warnings: string[],
): { calibrations: CalibrationSummary[]; calibrated: Set<string> } {
  const calibrations: CalibrationSummary[] = [];
  const calibrated = new Set<string>();
  for (const camera of sample.cameras) {
    const calibrationId = camera.calibrationId ?? sample.calibrationId;
    if (calibrationId === undefined) continue;
    const entry = dataset.manifest.calibrations.find((candidate) => candidate.calibrationId === calibrationId);
    const parsed = guarded(warnings, `Calibration of camera ${camera.name}`, () => resolveCalibration(dataset, sample, camera.name));
    if (parsed === null || entry === undefined) continue;

    calibrated.add(camera.name);
    calibrations.push({
      camera: camera.name,
      calibrationId,
      format: entry.format,
      imageWidth: parsed.imageSize.width,
      imageHeight: parsed.imageSize.height,
      intrinsic: parsed.intrinsic.values,
      lidarToCamera: parsed.lidarToCamera,
      distortion: parsed.distortion ?? null,
    });
  }
  return { calibrations, calibrated };
}

/** Runs `read`; on failure records a warning for the inspector and returns null, so the rest of the sample still shows. */
function guarded<T>(warnings: string[], what: string, read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    warnings.push(`${what}: ${message}`);
    log.warn(`${what}: ${message}`);
    return null;
  }
}

function sizeFromManifest(file: ImageFile): { width: number; height: number } | null {
  return file.width !== undefined && file.height !== undefined ? { width: file.width, height: file.height } : null;
}

/**
 * Flattens every metadata field of the manifest into one record. Absent optional fields are null,
 * so that two samples shown side by side have the same rows. The timestamp is a string because
 * nanoseconds exceed the integers a JSON number represents exactly (2^53).
 */
export function flattenMetadata(sample: Sample): Record<string, MetadataValue> {
  return {
    sampleId: sample.sampleId,
    sequenceId: sample.sequenceId,
    routeId: sample.routeId ?? null,
    routeSegment: sample.routeSegment ?? null,
    site: sample.site ?? null,
    timestampNs: sample.timestampNs.toString(),
    calibrationId: sample.calibrationId ?? null,
    weather: sample.weather ?? null,
    timeOfDay: sample.timeOfDay ?? null,
    season: sample.season ?? null,
    'pose.x': sample.pose?.x ?? null,
    'pose.y': sample.pose?.y ?? null,
    'pose.z': sample.pose?.z ?? null,
    'pose.yaw': sample.pose?.yaw ?? null,
    placeId: sample.placeId ?? null,
    trackIds: sample.trackIds === undefined ? null : sample.trackIds.join(', '),
    lidar: sample.lidar.length === 0 ? null : sample.lidar.map((file) => `${file.name} (${file.format})`).join(', '),
  };
}

/** Width and height from the manifest, else from the image header; null when the file is unreadable. */
async function imageSize(dataset: LoadedDataset, file: ImageFile): Promise<{ width: number; height: number } | null> {
  if (file.width !== undefined && file.height !== undefined) return { width: file.width, height: file.height };

  const path = resolveSamplePath(dataset, file.path);
  const cached = headerSizes.get(path);
  if (cached !== undefined) return cached;

  try {
    const metadata = await sharp(path).metadata();
    const size = { width: metadata.width, height: metadata.height };
    if (headerSizes.size >= HEADER_CACHE_LIMIT) headerSizes.clear();
    headerSizes.set(path, size);
    return size;
  } catch (error) {
    // The pair still shows; the UI marks the image that fails to load. Failures are not cached,
    // so a file restored later is picked up.
    log.warn(`cannot read the header of image ${path}: ${(error as Error).message}`);
    return null;
  }
}
