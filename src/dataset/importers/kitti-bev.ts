/**
 * Import KITTI odometry sequences stored as bird's-eye-view rasters: a sequence folder contains
 * `imgs/NNNNNN.png` (one 151x151 LiDAR density image per scan, 0.4 m per pixel, centred on and
 * turned with the vehicle) and `pose.txt` (one 3x4 pose per scan). A parent folder of several
 * sequence folders imports them all into one dataset.
 *
 * The scan number is the index into pose.txt and the time: scans come at 10 Hz.
 */
import { basename, join } from 'node:path';
import { ApronError } from '../../core/errors.js';
import type { ManifestInput, SampleInput } from '../manifest.js';
import { checkImages } from './check-images.js';
import { poseFromRow, readPoseFile } from './kitti-pose.js';
import { listNumberedImages } from './numbered-images.js';
import { isFile, isFolder, listFolder, requireFolder } from './source-folder.js';
import type { BuiltManifest, ImporterContext } from './types.js';
import { manifestHeader } from './manifest-header.js';

const IMAGE_NAME = /^(\d+)\.png$/;
const NANOSECONDS_PER_SCAN = 100_000_000n;

/** Raster scale of the BEVPlace generator, which also fixes the 151 x 151 size (60.4 m across). */
const METRES_PER_PIXEL = 0.4;
const EXPECTED_SIZE = 151;

/** Format the sample id of a scan as `<sequence>/<scan number padded to 6 digits>`, whether imported alone or with siblings. */
export function kittiSampleId(sequenceId: string, scan: number): string {
  return `${sequenceId}/${String(scan).padStart(6, '0')}`;
}

/** True when `folder` is a sequence folder (it has imgs/ or pose.txt). */
export function isKittiSequenceFolder(folder: string): boolean {
  return isFolder(join(folder, 'imgs')) || isFile(join(folder, 'pose.txt'));
}

/** List the sequence subfolders of `folder`, sorted by name. */
export function kittiSequenceFolders(folder: string): string[] {
  return listFolder(folder)
    .filter((entry) => entry.isDirectory && isKittiSequenceFolder(join(folder, entry.name)))
    .map((entry) => entry.name);
}

export async function buildKittiBevManifest(source: string, context: ImporterContext): Promise<BuiltManifest> {
  requireFolder(source, 'KITTI BEV folder');

  // Either one sequence folder (root = the folder) or a parent of several (root = the parent).
  const single = isKittiSequenceFolder(source);
  const sequences = single ? [basename(source)] : kittiSequenceFolders(source);
  if (sequences.length === 0) {
    throw new ApronError('invalid-input', `${source} is not a KITTI BEV folder: it has no imgs/ and pose.txt, and no subfolder with them`, {
      path: source,
      hint: 'Point at a sequence folder (such as 00/ with imgs/NNNNNN.png and pose.txt) or at the folder that contains the sequences.',
    });
  }

  const warnings: string[] = [];
  const counts: Record<string, number> = {};
  const samples: SampleInput[] = [];
  for (const sequenceId of sequences) {
    const folder = single ? source : join(source, sequenceId);
    const prefix = single ? '' : `${sequenceId}/`;
    const built = readSequence(folder, sequenceId, prefix);
    samples.push(...built.samples);
    warnings.push(...built.warnings);
    counts[sequenceId] = built.samples.length;
  }

  const paths = samples.map((sample) => join(source, sample.bev![0]!.path));
  const sizes = await checkImages(paths, context.imageCheck, context.onProgress);
  let otherSize = 0;
  samples.forEach((sample, index) => {
    const raster = sample.bev![0]!;
    raster.width = sizes[index]!.width;
    raster.height = sizes[index]!.height;
    if (raster.width !== EXPECTED_SIZE || raster.height !== EXPECTED_SIZE) otherSize++;
  });
  if (otherSize > 0) {
    warnings.push(
      `${otherSize} raster(s) are not ${EXPECTED_SIZE}x${EXPECTED_SIZE} pixels, so the assumed scale of ${METRES_PER_PIXEL} m per pixel may be wrong for them.`,
    );
  }

  const manifest: ManifestInput = {
    ...manifestHeader('kitti-bev', source, context.name),
    conditionFields: [],
    samples,
  };
  return { manifest, warnings, counts: { samples: samples.length, ...counts } };
}

function readSequence(folder: string, sequenceId: string, prefix: string): { samples: SampleInput[]; warnings: string[] } {
  const imagesFolder = join(folder, 'imgs');
  const poseFile = join(folder, 'pose.txt');
  if (!isFolder(imagesFolder)) {
    throw new ApronError('invalid-input', `KITTI BEV sequence ${folder} has pose.txt but no imgs/ folder`, {
      path: folder,
      hint: 'Each sequence folder needs imgs/NNNNNN.png beside pose.txt.',
    });
  }

  const warnings: string[] = [];
  const listing = listNumberedImages(imagesFolder, IMAGE_NAME, 'NNNNNN.png (the scan number)');
  if (listing.skipped.length > 0) {
    warnings.push(`Skipped ${listing.skipped.length} file(s) in ${prefix}imgs/ that are not PNG images (first: ${listing.skipped[0]}).`);
  }
  const poses = readPoseFile(poseFile);

  const last = listing.images[listing.images.length - 1]!;
  if (last.number >= poses.length) {
    throw new ApronError(
      'invalid-input',
      `Pose file ${poseFile} has ${poses.length} rows, but image imgs/${last.fileName} is scan ${last.number} and needs row ${last.number + 1}`,
      { path: poseFile, hint: 'Restore the complete pose.txt, or remove the images that have no pose.' },
    );
  }
  if (poses.length > listing.images.length) {
    warnings.push(
      `${prefix}pose.txt has ${poses.length} rows for ${listing.images.length} images; the rows without an image are ignored.`,
    );
  }

  const samples = listing.images.map((image): SampleInput => {
    const path = `${prefix}imgs/${image.fileName}`;
    return {
      sampleId: kittiSampleId(sequenceId, image.number),
      sequenceId,
      // Every sequence has its own pose frame (each starts at the identity), so it is its own site:
      // poses of two sequences must never be compared.
      site: `kitti-${sequenceId}`,
      timestampNs: BigInt(image.number) * NANOSECONDS_PER_SCAN,
      pose: poseFromRow(poses[image.number]!),
      bev: [{ name: 'bev', path, metresPerPixel: METRES_PER_PIXEL, frame: 'ego' }],
    };
  });
  return { samples, warnings };
}
