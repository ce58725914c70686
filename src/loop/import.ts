/**
 * Import a dataset into a workspace: build its manifest with an importer, then register it in the
 * store. The manifest is written to a fresh folder first and moved into place only after the
 * import succeeded, so a failed import never damages a dataset that is already registered.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ApronError } from '../core/errors.js';
import type { Workspace } from '../core/workspace.js';
import { importDataset, type DatasetLayout, type ImportProgress } from '../dataset/importers/index.js';
import { MANIFEST_FILE_NAME } from '../dataset/manifest-io.js';
import type { DatasetRecord, Store } from '../store/index.js';
import { checkDatasetId, datasetIdFromName } from './dataset-id.js';

export interface ImportIntoWorkspaceOptions {
  layout?: DatasetLayout;
  source: string;
  name?: string;
  datasetId?: string;
  /** Replace a registered dataset of the same id (its decisions are kept: they refer to sample ids). */
  replace?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportIntoWorkspaceResult {
  dataset: DatasetRecord;
  layout: DatasetLayout;
  warnings: string[];
  counts: Record<string, number>;
}

export async function importIntoWorkspace(
  workspace: Workspace,
  store: Store,
  options: ImportIntoWorkspaceOptions,
): Promise<ImportIntoWorkspaceResult> {
  const requestedId = options.datasetId ?? (options.name === undefined ? undefined : datasetIdFromName(options.name));
  if (requestedId !== undefined) checkExisting(store, checkDatasetId(requestedId), options.replace === true);

  const staging = join(workspace.datasetsDir, `.import-${process.pid}-${Date.now()}`);
  try {
    const result = await importDataset({
      source: options.source,
      outDir: staging,
      ...(options.layout === undefined ? {} : { layout: options.layout }),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });

    const manifest = result.dataset.manifest;
    const datasetId = checkDatasetId(requestedId ?? defaultDatasetId(manifest.name, result.layout));
    checkExisting(store, datasetId, options.replace === true);

    const finalDir = join(workspace.datasetsDir, datasetId);
    if (existsSync(finalDir)) rmSync(finalDir, { recursive: true, force: true });
    renameSync(staging, finalDir);

    const record = {
      name: manifest.name,
      importer: result.layout,
      manifestPath: join(finalDir, MANIFEST_FILE_NAME),
      root: result.dataset.root,
      sampleCount: manifest.samples.length,
    };
    const dataset = store.findDataset(datasetId) === undefined
      ? store.addDataset({ datasetId, ...record })
      : store.updateDataset(datasetId, record);
    return { dataset, layout: result.layout, warnings: result.warnings, counts: result.counts };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function checkExisting(store: Store, datasetId: string, replace: boolean): void {
  if (!replace && store.findDataset(datasetId) !== undefined) {
    throw new ApronError('conflict', `A dataset with id "${datasetId}" is already in this workspace`, {
      hint: 'Choose another --name or --id, or pass --replace to import it again under the same id.',
    });
  }
}

/** Derives an id from the dataset's name. A bare sequence number such as `00` gets its layout as a prefix. */
function defaultDatasetId(name: string, layout: DatasetLayout): string {
  const id = datasetIdFromName(name);
  return /^\d+$/.test(id) ? `${layout}-${id}` : id;
}
