/**
 * The embedded default: a workspace with no dataset gets the airside demo, imported, with a first
 * trained encoder, its embeddings and a mined suspect queue, so that a new user reviews pairs
 * within minutes of installing. Each step is skipped when an earlier run of this function (or the
 * user) already did it, so an interrupted preparation continues where it stopped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../core/workspace.js';
import { generateDemo, MANIFEST_FILE } from '../demo/generate.js';
import type { DemoSize } from '../demo/options.js';
import type { Store } from '../store/index.js';
import type { RunConfigInput } from '../train/config.js';
import { embedInWorkspace } from './embed.js';
import { importIntoWorkspace } from './import.js';
import { mineQueue } from './mine.js';
import { trainInWorkspace } from './train.js';

export const DEMO_DATASET_ID = 'demo-airside';

/**
 * The first run trains like a naive pipeline would: two augmented views of each sample are the
 * positives and nothing else is masked. Every other visit to the same stand is then a negative, a
 * false negative by the ground truth, and the mined queue shows them to the reviewer.
 */
export const DEMO_RUN_CONFIG: RunConfigInput = {
  imageSize: { width: 64, height: 64 },
  steps: 150,
  batchSize: 64,
  positives: { kind: 'augment' },
  maskRules: { samePlace: false },
  seed: 1,
};

/** Suspects kept in the first queue: enough for a long first session, quick to mine. */
const DEMO_QUEUE_LIMIT = 2000;

export type DemoStage = 'generate' | 'import' | 'train' | 'embed' | 'mine';

export interface PrepareDemoOptions {
  size?: DemoSize;
  seed?: number;
  /** Overrides of DEMO_RUN_CONFIG, for tests that want a short run. */
  runConfig?: Partial<RunConfigInput>;
  signal?: AbortSignal;
  /** Called when a step starts (done and total undefined) and as it progresses. */
  onProgress?: (stage: DemoStage, done?: number, total?: number) => void;
}

export interface PreparedDemo {
  datasetId: string;
  queueId: string;
  /** Steps that ran now; empty when everything was there already. */
  ran: DemoStage[];
}

/** Returns the folder the demo is generated into: inside the workspace, so that removing the workspace removes it too. */
export function demoFolder(workspace: Workspace, size: DemoSize, seed: number): string {
  return join(workspace.root, 'data', `demo-airside-${size}-${seed}`);
}

export async function prepareDemoWorkspace(workspace: Workspace, store: Store, options: PrepareDemoOptions = {}): Promise<PreparedDemo> {
  const size = options.size ?? 'small';
  const seed = options.seed ?? 1;
  const report = options.onProgress ?? (() => undefined);
  const ran: DemoStage[] = [];

  if (store.findDataset(DEMO_DATASET_ID) === undefined) {
    const folder = demoFolder(workspace, size, seed);
    const manifestPath = join(folder, MANIFEST_FILE);
    // generateDemo renames its staging folder into place last, so a manifest here means a complete demo.
    if (!existsSync(manifestPath)) {
      report('generate');
      ran.push('generate');
      const signalOption = options.signal === undefined ? {} : { signal: options.signal };
      await generateDemo({ size, seed, outDir: folder, onProgress: (done, total) => report('generate', done, total), ...signalOption });
    }
    report('import');
    ran.push('import');
    await importIntoWorkspace(workspace, store, { source: manifestPath, layout: 'manifest', datasetId: DEMO_DATASET_ID, name: 'Airside demo' });
  }

  const existingQueue = store.listQueues(DEMO_DATASET_ID)[0];
  if (existingQueue !== undefined) return { datasetId: DEMO_DATASET_ID, queueId: existingQueue.queueId, ran };

  let version = store.listEmbeddingVersions(DEMO_DATASET_ID).at(-1);
  if (version === undefined) {
    let run = store.listTrainingRuns(DEMO_DATASET_ID).find((candidate) => candidate.status === 'completed' && candidate.checkpointPath !== null);
    if (run === undefined) {
      report('train');
      ran.push('train');
      const trained = await trainInWorkspace(workspace, store, {
        datasetId: DEMO_DATASET_ID,
        // A tiny demo has fewer samples than the default batch.
        config: { ...DEMO_RUN_CONFIG, batchSize: Math.min(64, store.getDataset(DEMO_DATASET_ID).sampleCount), ...options.runConfig },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onProgress: (progress) => report('train', progress.step, progress.totalSteps),
      });
      run = trained.run;
    }
    report('embed');
    ran.push('embed');
    version = await embedInWorkspace(workspace, store, {
      runId: run.runId,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onProgress: (done, total) => report('embed', done, total),
    });
  }

  report('mine');
  ran.push('mine');
  const mined = mineQueue(store, {
    embeddingVersionId: version.embeddingVersionId,
    limit: DEMO_QUEUE_LIMIT,
    onProgress: (done, total) => report('mine', done, total),
  });
  return { datasetId: DEMO_DATASET_ID, queueId: mined.queue.queueId, ran };
}
