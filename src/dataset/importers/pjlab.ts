/**
 * Import the PJLab SensorsCalibration sample layout: `pair*` folders with one point cloud, one
 * camera image and its calibration (intrinsic + extrinsic JSON, or calib.txt), and `lidar_seq_*`
 * folders with `top_center_lidar/<stamp>.pcd` sweeps and `top_center_lidar-pose.txt`.
 */
import { basename, join } from 'node:path';
import { ApronError } from '../../core/errors.js';
import type { ManifestInput, SampleInput } from '../manifest.js';
import { checkImages } from './check-images.js';
import { checkPointClouds, requireFiles } from './check-sensor-files.js';
import { pjlabStampToNs, readStampedPoseFile } from './pjlab-pose.js';
import { isFile, isFolder, listFolder, requireFolder } from './source-folder.js';
import type { BuiltManifest, ImporterContext } from './types.js';
import { manifestHeader } from './manifest-header.js';

type CalibrationInput = NonNullable<ManifestInput['calibrations']>[number];

const CAMERA = 'center_camera';
const LIDAR = 'top_center_lidar';
const INTRINSIC_FILE = `${CAMERA}-intrinsic.json`;
const EXTRINSIC_FILE = `${LIDAR}-to-${CAMERA}-extrinsic.json`;
const IMAGE_NAME = /\.(png|jpe?g)$/i;

/** True when `folder` is a pair folder: it contains a PJLab calibration file. */
export function isPjlabPairFolder(folder: string): boolean {
  return isFile(join(folder, INTRINSIC_FILE)) || isFile(join(folder, EXTRINSIC_FILE)) || isFile(join(folder, 'calib.txt'));
}

/** True when `folder` is a sweep sequence folder. */
export function isPjlabSequenceFolder(folder: string): boolean {
  return isFolder(join(folder, LIDAR)) && isFile(join(folder, `${LIDAR}-pose.txt`));
}

export function looksLikePjlab(folder: string): boolean {
  return listFolder(folder).some(
    (entry) => entry.isDirectory && (isPjlabPairFolder(join(folder, entry.name)) || isPjlabSequenceFolder(join(folder, entry.name))),
  );
}

export async function buildPjlabManifest(source: string, context: ImporterContext): Promise<BuiltManifest> {
  requireFolder(source, 'PJLab folder');
  const folders = listFolder(source).filter((entry) => entry.isDirectory).map((entry) => entry.name);
  const pairFolders = folders.filter((name) => isPjlabPairFolder(join(source, name)));
  const sequenceFolders = folders.filter((name) => isPjlabSequenceFolder(join(source, name)));
  if (pairFolders.length + sequenceFolders.length === 0) {
    throw new ApronError('invalid-input', `${source} is not a PJLab folder: no subfolder has a calibration or ${LIDAR}/ with ${LIDAR}-pose.txt`, {
      path: source,
      hint: `Point at the folder that contains the pair folders (${INTRINSIC_FILE} or calib.txt) and lidar_seq_* folders.`,
    });
  }

  const samples: SampleInput[] = [];
  const calibrations: CalibrationInput[] = [];
  for (const folder of pairFolders) {
    const pair = readPair(source, folder);
    samples.push(pair.sample);
    calibrations.push(pair.calibration);
  }
  for (const folder of sequenceFolders) samples.push(...readSequence(source, folder));

  // Image sizes fill the calibration entries, because the PJLab files state 1920x1080 for 1920x1200 images.
  const pairSamples = samples.filter((sample) => (sample.cameras ?? []).length > 0);
  const sizes = await checkImages(pairSamples.map((sample) => join(source, sample.cameras![0]!.path)), context.imageCheck, context.onProgress);
  pairSamples.forEach((sample, index) => {
    const camera = sample.cameras![0]!;
    const size = sizes[index]!;
    camera.width = size.width;
    camera.height = size.height;
    const calibration = calibrations.find((entry) => entry.calibrationId === sample.calibrationId)!;
    calibration.imageWidth = size.width;
    calibration.imageHeight = size.height;
  });
  await checkPointClouds(source, samples);

  const manifest: ManifestInput = {
    ...manifestHeader('pjlab-lidar-camera', source, context.name),
    samples,
    calibrations,
  };
  const sweeps = samples.length - pairSamples.length;
  return { manifest, warnings: [], counts: { samples: samples.length, pairs: pairSamples.length, sweeps } };
}

function readPair(source: string, folder: string): { sample: SampleInput; calibration: CalibrationInput } {
  const files = listFolder(join(source, folder)).filter((entry) => entry.isFile).map((entry) => entry.name);
  const clouds = files.filter((name) => name.endsWith('.pcd'));
  // mask.jpg is a segmentation mask used by the auto-calibration method, not a camera image.
  const images = files.filter((name) => IMAGE_NAME.test(name) && !name.startsWith('mask.'));
  if (clouds.length !== 1 || images.length !== 1) {
    throw new ApronError(
      'invalid-input',
      `PJLab pair folder ${join(source, folder)} must hold one .pcd point cloud and one camera image; found ${clouds.length} .pcd and ${images.length} image(s)`,
      { path: join(source, folder), hint: 'Restore the missing point cloud or image, or move extra ones out of the folder.' },
    );
  }

  // The JSON pair is preferred when both forms are present: it is the calibration the folder was published with.
  const hasJson = files.includes(INTRINSIC_FILE) || files.includes(EXTRINSIC_FILE);
  const calibrationPaths = hasJson ? [`${folder}/${INTRINSIC_FILE}`, `${folder}/${EXTRINSIC_FILE}`] : [`${folder}/calib.txt`];
  requireFiles(source, calibrationPaths, 'PJLab calibration');

  const calibration: CalibrationInput = {
    calibrationId: folder,
    format: hasJson ? 'pjlab-json' : 'pjlab-text',
    paths: calibrationPaths,
    camera: CAMERA,
  };
  const sample: SampleInput = {
    sampleId: folder,
    // Each pair is a separate capture, so it is its own sequence.
    sequenceId: folder,
    timestampNs: 0n,
    calibrationId: folder,
    cameras: [{ name: CAMERA, path: `${folder}/${images[0]!}` }],
    lidar: [{ name: LIDAR, path: `${folder}/${clouds[0]!}`, format: 'pcd' }],
  };
  return { sample, calibration };
}

function readSequence(source: string, folder: string): SampleInput[] {
  const poseFile = join(source, folder, `${LIDAR}-pose.txt`);
  const poses = readStampedPoseFile(poseFile);
  const sweeps = listFolder(join(source, folder, LIDAR)).filter((entry) => entry.isFile && entry.name.endsWith('.pcd'));

  return sweeps.map((entry): SampleInput => {
    const stamp = basename(entry.name, '.pcd');
    const pose = poses.get(stamp);
    if (pose === undefined) {
      throw new ApronError('invalid-input', `Pose file ${poseFile} has no line for sweep ${folder}/${LIDAR}/${entry.name} (stamp ${stamp})`, {
        path: poseFile,
        hint: 'Restore the complete pose file, or remove the sweep that has no pose.',
      });
    }
    return {
      sampleId: `${folder}/${stamp}`,
      sequenceId: folder,
      // Poses are relative to the first frame of the drive, so each drive is its own site.
      site: `pjlab-${folder}`,
      timestampNs: pjlabStampToNs(stamp, join(source, folder, LIDAR, entry.name)),
      pose,
      lidar: [{ name: LIDAR, path: `${folder}/${LIDAR}/${entry.name}`, format: 'pcd' }],
    };
  });
}
