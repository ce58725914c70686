/**
 * Register an existing manifest: validate it, check that the files it names exist and open, and
 * write a copy into the workspace with `root` made absolute, because a relative root would point
 * elsewhere from the new folder.
 */
import { existsSync } from 'node:fs';
import { ApronError } from '../../core/errors.js';
import type { ManifestInput } from '../manifest.js';
import { readManifest, resolveSamplePath, type LoadedDataset } from '../manifest-io.js';
import { checkImages } from './check-images.js';
import type { BuiltManifest, ImporterContext } from './types.js';

export async function buildFromManifestFile(source: string, context: ImporterContext & { nameGiven: boolean }): Promise<BuiltManifest> {
  const dataset = readManifest(source);
  assertFilesExist(dataset);

  const images: string[] = [];
  for (const sample of dataset.manifest.samples) {
    for (const file of [...sample.cameras, ...sample.bev]) images.push(resolveSamplePath(dataset, file.path));
  }
  await checkImages(images, context.imageCheck, context.onProgress);

  const original = dataset.manifest;
  const manifest: ManifestInput = {
    ...original,
    name: context.nameGiven ? context.name : original.name,
    root: dataset.root,
    source: original.source ?? { importer: 'manifest', path: dataset.manifestPath, importedAt: new Date().toISOString() },
  };
  const sequences = new Set(original.samples.map((sample) => sample.sequenceId));
  return { manifest, warnings: [], counts: { samples: original.samples.length, sequences: sequences.size } };
}

/** Throw an error naming the first missing file (and how many are missing) of any modality. */
function assertFilesExist(dataset: LoadedDataset): void {
  const missing: string[] = [];
  for (const sample of dataset.manifest.samples) {
    for (const file of [...sample.cameras, ...sample.bev, ...sample.lidar]) {
      const path = resolveSamplePath(dataset, file.path);
      if (!existsSync(path)) missing.push(`${path} (sample ${sample.sampleId})`);
    }
  }
  if (missing.length === 0) return;
  const more = missing.length > 1 ? ` and ${missing.length - 1} more` : '';
  throw new ApronError('not-found', `Manifest ${dataset.manifestPath} names files that do not exist: ${missing[0]}${more}`, {
    path: dataset.manifestPath,
    hint: `Check that "root" (${dataset.root}) points at the dataset folder and that the data was copied completely.`,
  });
}
