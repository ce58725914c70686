/**
 * Import a Nordland-style folder: `summer/` and `winter/`, each holding `images-NNNNN.png`, where
 * NNNNN is the frame number of a one-frame-per-second extraction of time-synchronised videos.
 *
 * Each season is a sequence and the condition. The frame number is the time, one second per
 * frame. It is also the place, because the same frame number in both seasons shows the same place.
 */
import { join } from 'node:path';
import { ApronError } from '../../core/errors.js';
import type { ManifestInput, SampleInput } from '../manifest.js';
import { checkImages } from './check-images.js';
import { listNumberedImages, type NumberedImage } from './numbered-images.js';
import { isFolder, requireFolder } from './source-folder.js';
import type { BuiltManifest, ImporterContext } from './types.js';
import { manifestHeader } from './manifest-header.js';

export const NORDLAND_SEASONS = ['summer', 'winter'] as const;
const IMAGE_NAME = /^images-(\d+)\.png$/;
const NANOSECONDS_PER_FRAME = 1_000_000_000n;

/** True when `folder` has the two season subfolders. */
export function looksLikeNordland(folder: string): boolean {
  return NORDLAND_SEASONS.every((season) => isFolder(join(folder, season)));
}

/** Format the place id of a frame number: the number padded to five digits, as in the file names. */
export function nordlandPlaceId(frame: number): string {
  return String(frame).padStart(5, '0');
}

export async function buildNordlandManifest(source: string, context: ImporterContext): Promise<BuiltManifest> {
  requireFolder(source, 'Nordland folder');
  for (const season of NORDLAND_SEASONS) {
    if (!isFolder(join(source, season))) {
      throw new ApronError('invalid-input', `${source} is not a Nordland folder: it has no ${season}/ subfolder`, {
        path: source,
        hint: 'A Nordland folder contains summer/ and winter/ with images-NNNNN.png files. Check the path, or choose another layout.',
      });
    }
  }

  const warnings: string[] = [];
  const framesBySeason = new Map<string, NumberedImage[]>();
  for (const season of NORDLAND_SEASONS) {
    const listing = listNumberedImages(join(source, season), IMAGE_NAME, 'images-NNNNN.png');
    framesBySeason.set(season, listing.images);
    if (listing.skipped.length > 0) {
      warnings.push(`Skipped ${listing.skipped.length} file(s) in ${season}/ that are not PNG images (first: ${listing.skipped[0]}).`);
    }
  }

  const samples: SampleInput[] = [];
  const paths: string[] = [];
  for (const season of NORDLAND_SEASONS) {
    for (const frame of framesBySeason.get(season)!) {
      const relativePath = `${season}/${frame.fileName}`;
      const placeId = nordlandPlaceId(frame.number);
      samples.push({
        sampleId: `${season}/${placeId}`,
        sequenceId: season,
        season,
        timestampNs: BigInt(frame.number) * NANOSECONDS_PER_FRAME,
        placeId,
        cameras: [{ name: 'front', path: relativePath }],
      });
      paths.push(join(source, relativePath));
    }
  }

  const sizes = await checkImages(paths, context.imageCheck, context.onProgress);
  samples.forEach((sample, index) => {
    const camera = sample.cameras![0]!;
    camera.width = sizes[index]!.width;
    camera.height = sizes[index]!.height;
  });

  const counts = countPartners(framesBySeason.get('summer')!, framesBySeason.get('winter')!);
  if (counts.summerOnly > 0) warnings.push(`${counts.summerOnly} summer frame(s) have no winter frame of the same number; they have no partner.`);
  if (counts.winterOnly > 0) warnings.push(`${counts.winterOnly} winter frame(s) have no summer frame of the same number; they have no partner.`);

  const manifest: ManifestInput = {
    ...manifestHeader('nordland', source, context.name),
    conditionFields: ['season'],
    samples,
  };
  return { manifest, warnings, counts: { samples: samples.length, ...counts } };
}

function countPartners(summer: readonly NumberedImage[], winter: readonly NumberedImage[]) {
  const winterFrames = new Set(winter.map((frame) => frame.number));
  const paired = summer.filter((frame) => winterFrames.has(frame.number)).length;
  return {
    summer: summer.length,
    winter: winter.length,
    paired,
    summerOnly: summer.length - paired,
    winterOnly: winter.length - paired,
  };
}
