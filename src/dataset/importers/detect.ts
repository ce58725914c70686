/** Pick the importer for a path when the user does not name one. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApronError } from '../../core/errors.js';
import { MANIFEST_FILE_NAME } from '../manifest-io.js';
import { isKittiSequenceFolder, kittiSequenceFolders } from './kitti-bev.js';
import { looksLikeNordland } from './nordland.js';
import type { DatasetLayout } from './types.js';

/**
 * Detect the layout of `path`: `manifest` for a .json file or a folder containing apron-manifest.json,
 * `nordland` for a folder with summer/ and winter/, `kitti-bev` for a folder with imgs/ or
 * pose.txt, or with subfolders that have them. Raises an error naming the path otherwise.
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

  throw new ApronError('invalid-input', `Cannot tell the layout of ${absolute}`, {
    path: absolute,
    hint:
      `Expected ${MANIFEST_FILE_NAME}, summer/ and winter/ (nordland), or imgs/ and pose.txt (kitti-bev, ` +
      'also one level down). Name the layout explicitly if the folder is one of these.',
  });
}
