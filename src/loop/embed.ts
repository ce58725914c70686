/**
 * Embed every sample of a dataset with a run's checkpoint, in a worker thread, and store the
 * vectors as a new embedding version.
 */
import { join } from 'node:path';
import { ApronError } from '../core/errors.js';
import type { Workspace } from '../core/workspace.js';
import { readManifest } from '../dataset/manifest-io.js';
import type { EmbeddingVersionRecord, Store } from '../store/index.js';
import { parseRunConfig } from '../train/config.js';
import { isCrossModalConfig } from '../train/crossmodal/config.js';
import { runEmbeddingInWorker } from '../train/run-in-worker.js';
import { writeEmbeddingFiles } from './embedding-file.js';
import { imageCachePath } from './train.js';

export interface EmbedInWorkspaceOptions {
  runId: string;
  batchSize?: number;
  signal?: AbortSignal;
  onLoadProgress?: (done: number, total: number) => void;
  onProgress?: (done: number, total: number) => void;
}

export async function embedInWorkspace(
  workspace: Workspace,
  store: Store,
  options: EmbedInWorkspaceOptions,
): Promise<EmbeddingVersionRecord> {
  const run = store.getTrainingRun(options.runId);
  if (run.checkpointPath === null) {
    throw new ApronError('invalid-input', `Training run ${run.runId} has no checkpoint (status ${run.status})`, {
      hint: 'Embed with a run that completed, or train again with `apron train`.',
    });
  }
  if (isCrossModalConfig(run.config)) {
    throw new ApronError('invalid-input', `Training run ${run.runId} is a cross-modal (clip) run; apron embed embeds the encoder of an apron train run`, {
      hint: 'Embed a run of `apron train`; a cross-modal checkpoint holds two encoders, for camera frames and for LiDAR or BEV.',
    });
  }
  const dataset = store.getDataset(run.datasetId);
  const config = parseRunConfig(run.config);
  // The manifest's sample order is the row order of the vectors the worker returns.
  const sampleIds = readManifest(dataset.manifestPath).manifest.samples.map((sample) => sample.sampleId);

  const result = await runEmbeddingInWorker(
    {
      kind: 'embed',
      manifestPath: dataset.manifestPath,
      imageCachePath: imageCachePath(workspace, dataset.datasetId, config),
      checkpointDir: run.checkpointPath,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    },
    {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onLoadProgress === undefined ? {} : { onLoadProgress: options.onLoadProgress }),
      ...(options.onProgress === undefined ? {} : { onEmbedProgress: options.onProgress }),
    },
  );
  if (result.count !== sampleIds.length) {
    throw new ApronError('internal', `Embedding returned ${result.count} vectors for ${sampleIds.length} samples of dataset ${dataset.datasetId}`);
  }

  // The files are named by the version id and written before its store row, so a row never names missing files.
  const stamp = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  const embeddingVersionId = `emb-${stamp}-${Math.random().toString(36).slice(2, 8)}`;
  const vectorsPath = join(workspace.embeddingsDir, `${embeddingVersionId}.f32`);
  writeEmbeddingFiles(vectorsPath, { sampleIds, dimension: result.dimension, vectors: result.vectors });

  return store.addEmbeddingVersion({
    embeddingVersionId,
    datasetId: dataset.datasetId,
    runId: run.runId,
    checkpointPath: run.checkpointPath,
    vectorsPath,
    dimension: result.dimension,
    count: result.count,
    note: `backend ${result.backend}`,
  });
}
