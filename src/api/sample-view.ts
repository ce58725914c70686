/** A sample's metadata and image references as the review screen shows them. */
import sharp from 'sharp';
import type { FileRef, SampleView } from './contract.js';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { resolveSamplePath, type LoadedDataset } from '../dataset/manifest-io.js';
import type { ImageFile, Sample } from '../dataset/manifest.js';
import { encodeFileToken } from './file-token.js';

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
    throw new ApronError('not-found', `Sample "${sampleId}" is in the queue but not in the manifest of dataset "${datasetId}".`, {
      path: dataset.manifestPath,
      hint: 'The dataset was re-imported without this sample; mine the queue again.',
    });
  }

  const images: FileRef[] = [];
  for (const [kind, files] of [['camera', sample.cameras], ['bev', sample.bev]] as const) {
    for (const [fileIndex, file] of files.entries()) {
      const size = await imageSize(dataset, file);
      images.push({
        kind,
        name: file.name,
        width: size?.width ?? null,
        height: size?.height ?? null,
        token: encodeFileToken({ datasetId, sampleId, kind, index: fileIndex }),
      });
    }
  }

  return { sampleId, metadata: flattenMetadata(sample), images };
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
