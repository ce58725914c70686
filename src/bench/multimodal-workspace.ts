/**
 * A workspace holding one real multimodal dataset and a review queue over its samples, for the
 * pair-view benchmark and the end-to-end sensor-view test. The queue pairs each sample with the
 * next one, so that paging through it shows a different pair of sweeps and images every time. It
 * is not mined, because no encoder is trained for a handful of samples, and its evidence has similarity 0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkspace, type Workspace } from '../core/workspace.js';
import { readManifest } from '../dataset/manifest-io.js';
import { importIntoWorkspace } from '../loop/import.js';
import { openStore } from '../store/index.js';

export interface MultimodalWorkspace {
  workspace: Workspace;
  datasetId: string;
  queueId: string;
  /** Pairs in queue order. */
  pairs: [string, string][];
}

export async function createMultimodalWorkspace(root: string, source: string, datasetId: string): Promise<MultimodalWorkspace> {
  const workspace = openWorkspace(root);
  const store = openStore(workspace.databasePath);
  try {
    const { dataset } = await importIntoWorkspace(workspace, store, { source, datasetId });
    const manifestSamples = readManifest(dataset.manifestPath).manifest.samples;
    // Samples with both a camera and a sweep show every view; the others would leave rows empty.
    const complete = manifestSamples.filter((sample) => sample.cameras.length > 0 && sample.lidar.length > 0);
    const samples = complete.length >= 2 ? complete : manifestSamples;
    const pairs: [string, string][] = samples.map((sample, index) => [sample.sampleId, samples[(index + 1) % samples.length]!.sampleId]);

    // The queue needs an embedding version to refer to; this one contains zeros and is never searched.
    const vectorsPath = join(workspace.embeddingsDir, `${datasetId}-placeholder.f32`);
    writeFileSync(vectorsPath, Buffer.alloc(manifestSamples.length * 4));
    const version = store.addEmbeddingVersion({ embeddingVersionId: `${datasetId}-placeholder`, datasetId, vectorsPath, dimension: 1, count: manifestSamples.length });

    const queue = store.createQueue({
      queueId: `${datasetId}-pairs`,
      datasetId,
      embeddingVersionId: version.embeddingVersionId,
      params: { source: 'consecutive samples, for viewing' },
      items: pairs.map(([sampleA, sampleB], index) => ({
        sampleA,
        sampleB,
        evidence: { similarity: 0, rank: index + 1, timeGapSeconds: null, sameSequence: false, distanceMetres: null, headingDifferenceDegrees: null },
      })),
    });
    return { workspace, datasetId, queueId: queue.queueId, pairs };
  } finally {
    store.close();
  }
}
