/** Checks shared by the multimodal importers: every referenced file exists and every sweep reads. */
import { join } from 'node:path';
import { ApronError } from '../../core/errors.js';
import { readPointCloudFile } from '../../sensors/lidar/read-file.js';
import type { PointCloudFormat } from '../../sensors/lidar/point-cloud.js';
import type { LidarFile, SampleInput } from '../manifest.js';
import { isFile } from './source-folder.js';

/** The manifest's LiDAR format names, mapped to the reader's names. */
export const READER_FORMAT: Record<LidarFile['format'], PointCloudFormat> = {
  'kitti-bin': 'kitti-bin',
  'nuscenes-pcd-bin': 'nuscenes-bin',
  pcd: 'pcd',
  ply: 'ply',
  'av2-feather': 'argoverse2-feather',
};

/** Raise a not-found error naming the first of `paths` (relative to `root`) that is not a file. */
export function requireFiles(root: string, paths: readonly string[], fileKind: string): void {
  for (const path of paths) {
    const absolute = join(root, path);
    if (!isFile(absolute)) {
      throw new ApronError('not-found', `${fileKind} file not found: ${absolute}`, {
        path: absolute,
        hint: 'Restore the file, or remove the sample that needs it from the source folder.',
      });
    }
  }
}

/**
 * Read every sweep of `samples` once, so that a damaged file stops the import with its name
 * instead of failing later in training. Returns the number of points read.
 */
export async function checkPointClouds(root: string, samples: readonly SampleInput[]): Promise<number> {
  let points = 0;
  for (const sample of samples) {
    for (const sweep of sample.lidar ?? []) {
      const cloud = await readPointCloudFile(join(root, sweep.path), READER_FORMAT[sweep.format]);
      points += cloud.count;
    }
  }
  return points;
}
