/**
 * Import the mmdetection3d demo layout: `kitti/NNNNNN_calib_and_labels.json` (naming the LiDAR .bin
 * and the left colour image) and `nuscenes/*.json` sample calibrations (naming the LIDAR_TOP
 * .pcd.bin and six camera images). Each calibration file is one synchronized observation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApronError } from '../../core/errors.js';
import { parseJsonText, property, readJsonMatrix } from '../../sensors/calibration/matrix.js';
import { listNuscenesCameras } from '../../sensors/calibration/nuscenes.js';
import type { ManifestInput, SampleInput } from '../manifest.js';
import { checkImages } from './check-images.js';
import { checkPointClouds, requireFiles } from './check-sensor-files.js';
import { isFolder, listFolder, requireFolder } from './source-folder.js';
import type { BuiltManifest, ImporterContext } from './types.js';
import { manifestHeader } from './manifest-header.js';

type CalibrationInput = NonNullable<ManifestInput['calibrations']>[number];

const KITTI_CALIBRATION = /^(\d+)_calib_and_labels\.json$/;
/** The KITTI left colour camera (image_2), which the demo's image shows. */
const KITTI_CAMERA = 'CAM2';
const NANOSECONDS_PER_SCAN = 100_000_000n;

export function looksLikeKittiNuscenesDemo(folder: string): boolean {
  return isFolder(join(folder, 'kitti')) && isFolder(join(folder, 'nuscenes'));
}

export async function buildKittiNuscenesDemoManifest(source: string, context: ImporterContext): Promise<BuiltManifest> {
  requireFolder(source, 'KITTI/nuScenes demo folder');
  const samples: SampleInput[] = [];
  const calibrations: CalibrationInput[] = [];
  if (isFolder(join(source, 'kitti'))) readKitti(source, samples, calibrations);
  if (isFolder(join(source, 'nuscenes'))) readNuscenes(source, samples, calibrations);
  if (samples.length === 0) {
    throw new ApronError('invalid-input', `No KITTI or nuScenes demo sample found in ${source}`, {
      path: source,
      hint: 'Expected kitti/NNNNNN_calib_and_labels.json or nuscenes/sample_calib.json (mmdetection3d demo data).',
    });
  }

  const cameras = samples.flatMap((sample) => sample.cameras ?? []);
  const sizes = await checkImages(cameras.map((camera) => join(source, camera.path)), context.imageCheck, context.onProgress);
  cameras.forEach((camera, index) => {
    camera.width = sizes[index]!.width;
    camera.height = sizes[index]!.height;
  });
  await checkPointClouds(source, samples);

  const manifest: ManifestInput = {
    ...manifestHeader('kitti-nuscenes-demo', source, context.name),
    samples,
    calibrations,
  };
  const counts: Record<string, number> = { samples: samples.length };
  for (const sample of samples) counts[sample.sequenceId] = (counts[sample.sequenceId] ?? 0) + 1;
  return { manifest, warnings: [], counts };
}

function readKitti(source: string, samples: SampleInput[], calibrations: CalibrationInput[]): void {
  for (const entry of listFolder(join(source, 'kitti'))) {
    const match = KITTI_CALIBRATION.exec(entry.name);
    if (match === null || !entry.isFile) continue;
    const path = join(source, 'kitti', entry.name);
    const root = parseJsonText(readFileSync(path, 'utf8'), path);
    const lidarPath = `kitti/${requireString(property(root, 'lidar_path'), 'lidar_path', path)}`;
    const imagePath = `kitti/${requireString(property(root, 'image_path'), 'image_path', path)}`;
    requireFiles(source, [lidarPath], 'Point-cloud');
    requireFiles(source, [imagePath], 'Camera image');

    const frame = match[1]!;
    const calibrationId = `kitti/${frame}`;
    calibrations.push({ calibrationId, format: 'kitti-json', paths: [`kitti/${entry.name}`], camera: KITTI_CAMERA });
    samples.push({
      sampleId: `kitti/${frame}`,
      sequenceId: 'kitti',
      // The demo frame has no time stamp, so the time is the frame number at the 10 Hz scan rate.
      timestampNs: BigInt(Number(frame)) * NANOSECONDS_PER_SCAN,
      calibrationId,
      cameras: [{ name: KITTI_CAMERA, path: imagePath }],
      lidar: [{ name: 'velodyne', path: lidarPath, format: 'kitti-bin' }],
    });
  }
}

function readNuscenes(source: string, samples: SampleInput[], calibrations: CalibrationInput[]): void {
  for (const entry of listFolder(join(source, 'nuscenes'))) {
    if (!entry.isFile || !entry.name.endsWith('.json')) continue;
    const relative = `nuscenes/${entry.name}`;
    const path = join(source, relative);
    const text = readFileSync(path, 'utf8');
    const root = parseJsonText(text, path);
    const token = requireString(property(root, 'sample_token'), 'sample_token', path);
    const lidarPath = `nuscenes/${requireString(property(property(root, 'lidar'), 'path'), 'lidar.path', path)}`;
    requireFiles(source, [lidarPath], 'Point-cloud');

    const cameras = listNuscenesCameras(text, path).map((camera) => {
      const imageName = requireString(property(property(property(root, 'cameras'), camera), 'img_path'), `cameras.${camera}.img_path`, path);
      const imagePath = `nuscenes/${imageName}`;
      requireFiles(source, [imagePath], 'Camera image');
      const calibrationId = `nuscenes/${token}/${camera}`;
      calibrations.push({ calibrationId, format: 'nuscenes-json', paths: [relative], camera });
      return { name: camera, path: imagePath, calibrationId };
    });

    // The log name (before "__" in the file names) is the drive; it also fixes the map frame.
    const log = /^(.+?)__/.exec(lidarPath.slice('nuscenes/'.length))?.[1] ?? token;
    const timestampSeconds = property(root, 'timestamp');
    if (typeof timestampSeconds !== 'number' || !Number.isFinite(timestampSeconds)) {
      throw new ApronError('invalid-input', `nuScenes calibration ${path} has no numeric "timestamp" (seconds)`, { path, hint: 'Export the calibration JSON again.' });
    }
    const egoToGlobal = readJsonMatrix(property(root, 'ego2global'), 4, 4, 'ego2global', path);
    samples.push({
      sampleId: `nuscenes/${token}`,
      sequenceId: 'nuscenes',
      site: `nuscenes-${log}`,
      // Microseconds, as nuScenes stores them, so the float seconds are rounded there.
      timestampNs: BigInt(Math.round(timestampSeconds * 1e6)) * 1000n,
      pose: { x: egoToGlobal[3]!, y: egoToGlobal[7]!, z: egoToGlobal[11]!, yaw: Math.atan2(egoToGlobal[4]!, egoToGlobal[0]!) },
      cameras,
      lidar: [{ name: 'LIDAR_TOP', path: lidarPath, format: 'nuscenes-pcd-bin' }],
    });
  }
}

function requireString(value: unknown, key: string, path: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new ApronError('invalid-input', `Calibration ${path} has no "${key}" file name`, { path, hint: 'Export the calibration JSON again; it must name its files.' });
}
