/**
 * Mine a suspect queue from an embedding version: the pairs its training run treated as
 * negatives that the embeddings now place closest, minus pairs a reviewer already decided.
 */
import { ApronError } from '../core/errors.js';
import { readManifest } from '../dataset/manifest-io.js';
import type { Sample } from '../dataset/manifest.js';
import { mineFalseNegatives, type Suspect } from '../mine/false-negatives.js';
import { PairSet } from '../mine/pairs.js';
import { openVectorSearch } from '../search/embedding-index.js';
import type { SearchInfo, SearchMode } from '../search/strategy.js';
import type { QueueRecord, Store } from '../store/index.js';
import { readEmbeddingFiles } from './embedding-file.js';
import { policyOfRunConfig, type NegativePolicyOfRun } from './run-policy.js';

export interface MineQueueOptions {
  embeddingVersionId: string;
  /** Policy for embeddings that no run of this workspace produced (imported ones). Rejected for a version with a run, whose own policy applies. */
  policy?: NegativePolicyOfRun;
  perSample?: number;
  limit?: number;
  /** Exact search, the HNSW index, or 'auto' (default: APRON_SEARCH, else 'auto') to choose by size. */
  search?: SearchMode;
  /** Largest row count that 'auto' searches exactly (default: APRON_EXACT_MAX_ROWS, else the N^2 * D budget). */
  exactMaxRows?: number;
  onProgress?: (done: number, total: number) => void;
  /** Rows inserted while the HNSW index is built or extended. */
  onIndexProgress?: (done: number, total: number) => void;
}

export interface MineQueueResult {
  queue: QueueRecord;
  suspects: Suspect[];
  samples: Sample[];
  policy: NegativePolicyOfRun;
  /** The search that found the suspects, as the queue's params also record it. */
  search: SearchInfo;
}

export function mineQueue(store: Store, options: MineQueueOptions): MineQueueResult {
  const version = store.getEmbeddingVersion(options.embeddingVersionId);
  const dataset = store.getDataset(version.datasetId);
  const loaded = readManifest(dataset.manifestPath);
  const matrix = readEmbeddingFiles(version.vectorsPath);

  let policy = options.policy;
  if (version.runId !== null) {
    if (policy !== undefined) {
      throw new ApronError('invalid-input', `Embedding version ${version.embeddingVersionId} comes from training run ${version.runId}, whose mask rules and positives mining applies`, {
        hint: 'Leave out --mask-time-window, --mask-radius, --no-mask-place, --positives and --positive-window: they apply only to versions without a training run, such as imported ones.',
      });
    }
    policy = policyOfRunConfig(store.getTrainingRun(version.runId).config, version.runId);
  } else if (policy === undefined) {
    throw new ApronError('invalid-input', `Embedding version ${version.embeddingVersionId} has no training run, so its mask rules are unknown`, {
      hint: 'Pass the mask rules and positives the embeddings were trained with: `apron mine --embedding VERSION --positives temporal --positive-window 1 --mask-time-window 30`. The options --mask-radius M and --no-mask-place also apply (see `apron mine --help`).',
    });
  }

  // Rows of the embedding file in their own order; every row must name a sample of the manifest.
  const samples = matrix.sampleIds.map((sampleId) => {
    const index = loaded.indexOf.get(sampleId);
    if (index === undefined) {
      throw new ApronError('invalid-input', `Embedding version ${version.embeddingVersionId} has sample ${sampleId}, which the dataset's manifest lacks`, {
        path: dataset.manifestPath,
        hint: 'The dataset was re-imported with other samples; compute the embeddings again with `apron embed`.',
      });
    }
    return loaded.manifest.samples[index]!;
  });

  const samePairs = store.listDecisionPairs(dataset.datasetId, 'same');
  const decided = PairSet.from([
    ...samePairs,
    ...store.listDecisionPairs(dataset.datasetId, 'different'),
    ...store.listDecisionPairs(dataset.datasetId, 'unsure'),
  ]);

  const search = openVectorSearch(version.vectorsPath, matrix.vectors, matrix.dimension, {
    ...(options.search === undefined ? {} : { mode: options.search }),
    ...(options.exactMaxRows === undefined ? {} : { exactMaxRows: options.exactMaxRows }),
    ...(options.onIndexProgress === undefined ? {} : { onBuildProgress: options.onIndexProgress }),
  });

  const suspects = mineFalseNegatives({
    search,
    samples,
    vectors: matrix.vectors,
    dimension: matrix.dimension,
    maskRules: policy.maskRules,
    positives: policy.positives,
    samePairs,
    excludePairs: decided,
    ...(options.perSample === undefined ? {} : { perSample: options.perSample }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });

  const queue = store.createQueue({
    datasetId: dataset.datasetId,
    embeddingVersionId: version.embeddingVersionId,
    kind: 'false-negative',
    params: { policy, perSample: options.perSample ?? null, limit: options.limit ?? null, excludedDecidedPairs: decided.size, search: search.info },
    items: suspects.map((suspect) => ({ sampleA: suspect.sampleA, sampleB: suspect.sampleB, evidence: suspect.evidence })),
  });
  return { queue, suspects, samples, policy, search: search.info };
}
