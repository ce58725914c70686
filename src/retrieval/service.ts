/**
 * Retrieval over a store: recall matrices, failure grids and hard-negative boards for a dataset's
 * embedding version, with the neighbour searches cached between calls.
 *
 * The neighbour search is the expensive part: all pairs of rows, 3.1 s for 1,954 rows of
 * dimension 2,048 (test/integration/retrieval-real.test.ts, Node 20, one core of a 2-core machine). It depends on the embedding, the condition field and the
 * exclusions, never on decisions, so a `same` decision only re-evaluates the truth against the
 * cached neighbours and the recall matrix updates at once.
 */
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import type { ManifestCache } from '../api/manifest-cache.js';
import type { LoadedDataset } from '../dataset/manifest-io.js';
import { buildDecisionGroups, inSameGroup } from '../mask/groups.js';
import { PairSet } from '../mine/pairs.js';
import type { Store, StoredDecision } from '../store/index.js';
import {
  MAX_RETRIEVAL_K,
  type ConditionField,
  type GroundTruthRule,
  type HardNegativeBoard,
  type HardNegativeCandidate,
  type RecallMatrix,
  type RetrievalDecisionResult,
  type RetrievalFailuresPage,
} from './api-types.js';
import { listFailures } from './failures.js';
import { GroundTruth } from './ground-truth.js';
import { HARD_NEGATIVE_NOTE } from './hard-negative-set.js';
import { buildHardNegativeBoard, findHardNegativeCandidates } from './hard-negatives.js';
import { loadEmbedding, openApproximateIndex, resolveConditionField, resolveEmbeddingVersion } from './load.js';
import { buildNeighbourTable } from './neighbour-table.js';
import { computeRecallMatrix, type RetrievalIndex } from './recall-matrix.js';
import { createExclusion, indexConditions } from './samples.js';

const log = createLogger('retrieval');

/** Cached searches per kind. Each contains a neighbour table of rows x conditions x 50 entries at most. */
const CACHE_CAPACITY = 4;

/** Note on `same` decisions made in the failure grid, so that the review history shows where they came from. */
export const RETRIEVAL_SAME_NOTE = 'same place, marked in the retrieval failure grid';

export interface RetrievalSetup {
  datasetId: string;
  embeddingVersionId?: string | undefined;
  conditionField?: ConditionField | undefined;
  rule: GroundTruthRule;
  excludeSameSequenceSeconds?: number | undefined;
}

export interface DecisionInput {
  datasetId: string;
  sampleA: string;
  sampleB: string;
  reviewer: string;
  embeddingVersionId?: string | undefined;
}

interface CacheEntry<T> {
  dataset: LoadedDataset;
  value: T;
}

export class RetrievalService {
  private readonly indexes = new Map<string, CacheEntry<RetrievalIndex>>();
  private readonly candidates = new Map<string, CacheEntry<HardNegativeCandidate[]>>();

  constructor(
    private readonly store: Store,
    private readonly manifests: ManifestCache,
  ) {}

  recallMatrix(setup: RetrievalSetup): RecallMatrix {
    const { field, version, index } = this.prepare(setup);
    const decisions = this.decisions(setup.datasetId);
    const truth = new GroundTruth(index.samples, setup.rule, decisions);
    return {
      datasetId: setup.datasetId,
      embeddingVersionId: version,
      conditionField: field,
      rule: setup.rule,
      excludeSameSequenceSeconds: setup.excludeSameSequenceSeconds ?? null,
      conditions: [...index.conditions],
      cells: computeRecallMatrix(index, truth),
      samplesWithoutCondition: index.samples.filter((sample) => sample.condition === undefined).length,
      decidedSame: decisions.same.length,
      decidedDifferent: decisions.different.length,
    };
  }

  failures(setup: RetrievalSetup & { queryCondition: string; databaseCondition: string; k: number; offset: number; limit: number }): RetrievalFailuresPage {
    const { field, version, index } = this.prepare(setup);
    const truth = new GroundTruth(index.samples, setup.rule, this.decisions(setup.datasetId));
    const queryCondition = conditionIndex(index, setup.queryCondition, field);
    const databaseCondition = conditionIndex(index, setup.databaseCondition, field);
    const page = listFailures(index, truth, queryCondition, databaseCondition, { k: setup.k, offset: setup.offset, limit: setup.limit });
    return { queryCondition: setup.queryCondition, databaseCondition: setup.databaseCondition, k: setup.k, embeddingVersionId: version, ...page };
  }

  hardNegativeBoard(setup: RetrievalSetup & { groupBy: 'class' | 'place'; limit: number }): HardNegativeBoard {
    const record = this.store.getDataset(setup.datasetId);
    const dataset = this.manifests.get(record.manifestPath);
    const version = resolveEmbeddingVersion(this.store, setup.datasetId, setup.embeddingVersionId);
    const key = JSON.stringify([version.embeddingVersionId, setup.groupBy, setup.rule, setup.excludeSameSequenceSeconds ?? null]);

    const candidates = this.cached(this.candidates, key, dataset, () => {
      const started = performance.now();
      // Conditions play no part in hard negatives, so any field will do for loading.
      const embedding = loadEmbedding(version, dataset, dataset.manifest.conditionFields[0] ?? 'season');
      const found = findHardNegativeCandidates({
        samples: embedding.samples,
        vectors: embedding.vectors,
        dimension: embedding.dimension,
        groupBy: setup.groupBy,
        // The search reads the rule only, so decisions are left out here and applied on the board below.
        truth: new GroundTruth(embedding.samples, setup.rule, { same: [], different: [] }),
        exclude: createExclusion(embedding.samples, setup.excludeSameSequenceSeconds),
        approximate: openApproximateIndex(embedding),
      });
      log.info(`hard-negative search datasetId=${setup.datasetId} embeddingVersionId=${version.embeddingVersionId} groupBy=${setup.groupBy}: ${found.length} candidates in ${(performance.now() - started).toFixed(0)} ms`);
      return found;
    });

    const decided = PairSet.from([
      ...this.store.listDecisionPairs(setup.datasetId, 'same'),
      ...this.store.listDecisionPairs(setup.datasetId, 'different'),
      ...this.store.listDecisionPairs(setup.datasetId, 'unsure'),
    ]);
    // Pairs that `same` decisions join only transitively are not decided themselves, but they are no negatives.
    const groups = buildDecisionGroups(this.store.listDecisionPairs(setup.datasetId, 'same'));
    const same = (a: string, b: string): boolean => inSameGroup(groups, a, b);
    const groupsOfBoard = buildHardNegativeBoard(
      candidates,
      setup.groupBy,
      (candidate) => !decided.has(candidate.sampleA, candidate.sampleB) && !same(candidate.sampleA, candidate.sampleB),
      setup.limit,
    );
    return {
      datasetId: setup.datasetId,
      embeddingVersionId: version.embeddingVersionId,
      groupBy: setup.groupBy,
      total: groupsOfBoard.reduce((sum, group) => sum + group.candidates.length, 0),
      groups: groupsOfBoard,
    };
  }

  markSame(input: DecisionInput): RetrievalDecisionResult {
    return this.record(input, 'same', RETRIEVAL_SAME_NOTE);
  }

  confirmHardNegative(input: DecisionInput): RetrievalDecisionResult {
    return this.record(input, 'different', HARD_NEGATIVE_NOTE);
  }

  private record(input: DecisionInput, verdict: 'same' | 'different', note: string): RetrievalDecisionResult {
    const record = this.store.getDataset(input.datasetId);
    const dataset = this.manifests.get(record.manifestPath);
    for (const sampleId of [input.sampleA, input.sampleB]) {
      if (!dataset.indexOf.has(sampleId)) {
        throw new ApronError('not-found', `Sample "${sampleId}" is not in the manifest of dataset "${input.datasetId}".`, {
          path: dataset.manifestPath,
          hint: 'Reload the page: the dataset may have been re-imported without this sample.',
        });
      }
    }
    const decision: StoredDecision = this.store.recordDecision({
      datasetId: input.datasetId,
      sampleA: input.sampleA,
      sampleB: input.sampleB,
      verdict,
      reviewer: input.reviewer,
      note,
      embeddingVersionId: input.embeddingVersionId ?? null,
    });
    log.info(`recorded ${verdict} decisionId=${decision.decisionId} pair=${decision.sampleA},${decision.sampleB} reviewer=${decision.reviewer}`);
    return {
      decisionId: decision.decisionId,
      sampleA: decision.sampleA,
      sampleB: decision.sampleB,
      verdict,
      reviewer: decision.reviewer,
      decidedAt: decision.decidedAt,
    };
  }

  private decisions(datasetId: string) {
    return {
      same: this.store.listDecisionPairs(datasetId, 'same'),
      different: this.store.listDecisionPairs(datasetId, 'different'),
    };
  }

  private prepare(setup: RetrievalSetup): { dataset: LoadedDataset; field: ConditionField; version: string; index: RetrievalIndex } {
    const record = this.store.getDataset(setup.datasetId);
    const dataset = this.manifests.get(record.manifestPath);
    const field = resolveConditionField(dataset, setup.conditionField);
    const version = resolveEmbeddingVersion(this.store, setup.datasetId, setup.embeddingVersionId);
    const key = JSON.stringify([version.embeddingVersionId, field, setup.excludeSameSequenceSeconds ?? null]);
    const index = this.cached(this.indexes, key, dataset, () => {
      const started = performance.now();
      const embedding = loadEmbedding(version, dataset, field);
      const { conditions, conditionOf } = indexConditions(embedding.samples);
      const exclude = createExclusion(embedding.samples, setup.excludeSameSequenceSeconds);
      const table = buildNeighbourTable({
        vectors: embedding.vectors,
        dimension: embedding.dimension,
        conditionOf,
        conditionCount: conditions.length,
        k: MAX_RETRIEVAL_K,
        exclude,
        approximate: openApproximateIndex(embedding),
      });
      log.info(`neighbour search datasetId=${setup.datasetId} embeddingVersionId=${version.embeddingVersionId} rows=${embedding.samples.length} in ${(performance.now() - started).toFixed(0)} ms`);
      return { samples: embedding.samples, vectors: embedding.vectors, dimension: embedding.dimension, conditions, conditionOf, table, exclude };
    });
    return { dataset, field, version: version.embeddingVersionId, index };
  }

  /** Returns the cached value for `key` while the manifest is unchanged, else computes and caches it. */
  private cached<T>(cache: Map<string, CacheEntry<T>>, key: string, dataset: LoadedDataset, compute: () => T): T {
    const entry = cache.get(key);
    if (entry !== undefined && entry.dataset === dataset) return entry.value;
    const value = compute();
    cache.delete(key);
    cache.set(key, { dataset, value });
    while (cache.size > CACHE_CAPACITY) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
    return value;
  }
}

function conditionIndex(index: RetrievalIndex, condition: string, field: ConditionField): number {
  const position = index.conditions.indexOf(condition);
  if (position < 0) {
    throw new ApronError('not-found', `No embedded sample has ${field} "${condition}".`, {
      hint: `The ${field} values of this embedding version are: ${index.conditions.join(', ') || 'none'}.`,
    });
  }
  return position;
}
