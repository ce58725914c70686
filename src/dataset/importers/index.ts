/**
 * Import a dataset: turn a folder layout (or an existing manifest) into an Apron manifest that
 * points at the files in place, and write it into the caller's folder.
 */
import { basename, join, resolve } from 'node:path';
import { ApronError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { MANIFEST_FILE_NAME, readManifest, writeManifest } from '../manifest-io.js';
import { detectLayout } from './detect.js';
import { buildArgoverse2Manifest } from './argoverse2.js';
import { buildKittiBevManifest } from './kitti-bev.js';
import { buildKittiNuscenesDemoManifest } from './kitti-nuscenes-demo.js';
import { buildFromManifestFile } from './manifest-file.js';
import { buildNordlandManifest } from './nordland.js';
import { buildPjlabManifest } from './pjlab.js';
import { DATASET_LAYOUTS, type BuiltManifest, type ImporterContext, type ImportOptions, type ImportResult } from './types.js';

export { detectLayout } from './detect.js';
export { kittiSampleId } from './kitti-bev.js';
export { nordlandPlaceId } from './nordland.js';
export { loadCalibration, resolveCalibration } from './resolve-calibration.js';
export { DATASET_LAYOUTS, type DatasetLayout, type ImageCheck, type ImportOptions, type ImportProgress, type ImportResult } from './types.js';

const log = createLogger('import');

/**
 * Import `options.source`, write apron-manifest.json into `options.outDir` and return the dataset
 * read back from it. Bad input raises an ApronError that names the file and the problem.
 */
export async function importDataset(options: ImportOptions): Promise<ImportResult> {
  const source = resolve(options.source);
  // The layout may come straight from a command line, so it is checked here and not only by the type.
  if (options.layout !== undefined && !DATASET_LAYOUTS.includes(options.layout)) {
    throw new ApronError('invalid-input', `Unknown dataset layout "${String(options.layout)}"`, {
      hint: `Use one of: ${DATASET_LAYOUTS.join(', ')}, or leave the layout out to detect it.`,
    });
  }
  const layout = options.layout ?? detectLayout(source);
  const started = performance.now();
  const context: ImporterContext = {
    name: options.name ?? basename(source),
    imageCheck: options.imageCheck ?? 'decode',
    onProgress: options.onProgress,
  };
  log.info(`importing ${source} as ${layout}`);

  let built: BuiltManifest;
  if (layout === 'nordland') built = await buildNordlandManifest(source, context);
  else if (layout === 'kitti-bev') built = await buildKittiBevManifest(source, context);
  else if (layout === 'kitti-nuscenes-demo') built = await buildKittiNuscenesDemoManifest(source, context);
  else if (layout === 'pjlab-lidar-camera') built = await buildPjlabManifest(source, context);
  else if (layout === 'argoverse2') built = await buildArgoverse2Manifest(source, context);
  else built = await buildFromManifestFile(source, { ...context, nameGiven: options.name !== undefined });

  options.onProgress?.({ stage: 'writing', done: 0, total: 1 });
  const manifestPath = writeManifest(join(resolve(options.outDir), MANIFEST_FILE_NAME), built.manifest);
  const dataset = readManifest(manifestPath);
  options.onProgress?.({ stage: 'writing', done: 1, total: 1 });

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const counts = Object.entries(built.counts).map(([key, value]) => `${key}=${value}`).join(' ');
  log.info(`imported ${source} in ${seconds} s: ${counts}`);
  for (const warning of built.warnings) log.warn(warning);

  return { layout, manifestPath, dataset, warnings: built.warnings, counts: built.counts };
}
