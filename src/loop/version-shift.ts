/**
 * The shift a new embedding version makes on what reviewers decided: each confirmed pair's similarity in
 * the old and the new version, and which suspects left or entered the review queue. A retrained
 * encoder should pull `same` pairs together and keep `different` pairs (hard negatives) apart.
 */
import { ApronError } from '../core/errors.js';
import type { Store } from '../store/index.js';
import type { MovedPair, VersionShift } from '../api/contract-versions.js';
import { readEmbeddingFiles, type EmbeddingMatrix } from './embedding-file.js';

/** Compares two embedding versions of one dataset on the pairs reviewers decided. */
export function compareVersions(store: Store, datasetId: string, fromId: string, toId: string): VersionShift {
  const from = store.getEmbeddingVersion(fromId);
  const to = store.getEmbeddingVersion(toId);
  for (const version of [from, to]) {
    if (version.datasetId !== datasetId) {
      throw new ApronError('invalid-input', `Embedding version ${version.embeddingVersionId} belongs to dataset ${version.datasetId}, not ${datasetId}.`, {
        hint: 'Compare two versions of the same dataset (see its overview page).',
      });
    }
  }

  const before = indexed(readEmbeddingFiles(from.vectorsPath));
  const after = indexed(readEmbeddingFiles(to.vectorsPath));
  const pairs: MovedPair[] = [];
  let skipped = 0;
  for (const verdict of ['same', 'different'] as const) {
    for (const pair of store.listDecisionPairs(datasetId, verdict)) {
      const old = before.similarity(pair.a, pair.b);
      const now = after.similarity(pair.a, pair.b);
      if (old === null || now === null) {
        skipped++;
        continue;
      }
      pairs.push({ sampleA: pair.a, sampleB: pair.b, verdict, before: old, after: now });
    }
  }
  // The largest moves first: they are what a reviewer wants to see.
  pairs.sort((x, y) => Math.abs(y.after - y.before) - Math.abs(x.after - x.before));

  const meanOf = (verdict: 'same' | 'different'): number | null => {
    const changes = pairs.filter((pair) => pair.verdict === verdict).map((pair) => pair.after - pair.before);
    return changes.length === 0 ? null : changes.reduce((sum, value) => sum + value, 0) / changes.length;
  };

  const latestQueue = (versionId: string) => store.listQueues(datasetId).filter((queue) => queue.embeddingVersionId === versionId).at(-1);
  const fromQueue = latestQueue(fromId);
  const toQueue = latestQueue(toId);
  const pairsOf = (queueId: string | undefined): Map<string, { sampleA: string; sampleB: string }> => {
    const result = new Map<string, { sampleA: string; sampleB: string }>();
    if (queueId === undefined) return result;
    for (const item of store.getQueueItems(queueId, 0, store.countQueueItems(queueId)).items) {
      result.set(pairKey(item.sampleA, item.sampleB), { sampleA: item.sampleA, sampleB: item.sampleB });
    }
    return result;
  };
  const oldSuspects = pairsOf(fromQueue?.queueId);
  const newSuspects = pairsOf(toQueue?.queueId);

  return {
    datasetId,
    from: fromId,
    to: toId,
    pairs,
    meanChange: { same: meanOf('same'), different: meanOf('different') },
    skipped,
    queues: {
      from: fromQueue?.queueId ?? null,
      to: toQueue?.queueId ?? null,
      left: [...oldSuspects].filter(([key]) => !newSuspects.has(key)).map(([, pair]) => pair),
      entered: [...newSuspects].filter(([key]) => !oldSuspects.has(key)).map(([, pair]) => pair),
    },
  };
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** Cosine similarity between two samples of one version, or null when either is missing. */
function indexed(matrix: EmbeddingMatrix): { similarity(a: string, b: string): number | null } {
  const rows = new Map(matrix.sampleIds.map((id, index) => [id, index]));
  const { vectors, dimension } = matrix;
  const norm = (row: number): number => {
    let sum = 0;
    for (let k = 0; k < dimension; k++) sum += (vectors[row * dimension + k] ?? 0) ** 2;
    return Math.sqrt(sum);
  };
  return {
    similarity(a, b) {
      const first = rows.get(a);
      const second = rows.get(b);
      if (first === undefined || second === undefined) return null;
      let dot = 0;
      for (let k = 0; k < dimension; k++) dot += (vectors[first * dimension + k] ?? 0) * (vectors[second * dimension + k] ?? 0);
      const scale = norm(first) * norm(second);
      return scale === 0 ? 0 : dot / scale;
    },
  };
}
