/** Pick the importer for a path when the user does not name one. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApronError } from '../../core/errors.js';
import { MANIFEST_FILE_NAME } from '../manifest-io.js';
import { looksLikeArgoverse2 } from './argoverse2.js';
import { isKittiSequenceFolder, kittiSequenceFolders } from './kitti-bev.js';
import { looksLikeKittiNuscenesDemo } from './kitti-nuscenes-demo.js';
import { looksLikeNordland } from './nordland.js';
import { looksLikePjlab } from './pjlab.js';
import type { DatasetLayout } from './types.js';

/**
 * Detect the layout of `path`, checking in this order. A .json file or a folder containing
 * apron-manifest.json is `manifest`. A folder with summer/ and winter/ is `nordland`. A folder with
 * imgs/ or pose.txt, or with subfolders that have them, is `kitti-bev`. A folder with kitti/ and
 * nuscenes/ is `kitti-nuscenes-demo`. A log folder (sensors/lidar/ and city_SE3_egovehicle.feather)
 * or a folder of them is `argoverse2`. A folder whose subfolders contain PJLab calibrations or
 * top_center_lidar/ sweeps with their pose file is `pjlab-lidar-camera`. Raises an error naming the
 * path otherwise.
 */
export function detectLayout(path: string): DatasetLayout {
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new ApronError('not-found', `Dataset path not found: ${absolute}`, {
      path: absolute,
      hint: 'Check the path; it must name the dataset folder or a manifest file.',
    });
  }

  if (statSync(absolute).isFile()) {
    if (absolute.toLowerCase().endsWith('.json')) return 'manifest';
    throw new ApronError('invalid-input', `Cannot import the file ${absolute}: only a manifest (.json) can be imported as a file`, {
      path: absolute,
      hint: 'Pass the dataset folder instead, or a manifest file.',
    });
  }

  if (existsSync(join(absolute, MANIFEST_FILE_NAME))) return 'manifest';
  if (looksLikeNordland(absolute)) return 'nordland';
  if (isKittiSequenceFolder(absolute) || kittiSequenceFolders(absolute).length > 0) return 'kitti-bev';
  if (looksLikeKittiNuscenesDemo(absolute)) return 'kitti-nuscenes-demo';
  if (looksLikeArgoverse2(absolute)) return 'argoverse2';
  if (looksLikePjlab(absolute)) return 'pjlab-lidar-camera';

  throw new ApronError('invalid-input', `Cannot tell the layout of ${absolute}`, {
    path: absolute,
    hint:
      `Expected ${MANIFEST_FILE_NAME}, summer/ and winter/ (nordland), imgs/ and pose.txt (kitti-bev, ` +
      'also one level down), kitti/ and nuscenes/ (kitti-nuscenes-demo), sensors/lidar/ and city_SE3_egovehicle.feather ' +
      '(argoverse2, also one level down) or PJLab pair and sweep folders (pjlab-lidar-camera). ' +
      'Name the layout explicitly if the folder is one of these.',
  });
}
