/**
 * Recall@k of same-place retrieval for every pair of conditions: queries of condition A searched
 * against the samples of condition B (winter queries against a summer database, say).
 *
 * A query counts in a cell only when the cell's database contains at least one true match for it
 * after the exclusions. The others are counted apart, because no ranking could find a match for
 * them. Recall@k is then the share of counted queries with a true match among their first k results.
 */
import { ApronError } from '../core/errors.js';
import type { RecallCell } from './api-types.js';
import type { GroundTruth } from './ground-truth.js';
import type { NeighbourTable } from './neighbour-table.js';
import type { RetrievalSample } from './samples.js';

export const RECALL_KS = [1, 5, 10] as const;

/** Everything a recall matrix or failure grid reads, with rows in embedding-matrix order. */
export interface RetrievalIndex {
  samples: readonly RetrievalSample[];
  vectors: Float32Array;
  dimension: number;
  conditions: readonly string[];
  conditionOf: Int32Array;
  table: NeighbourTable;
  exclude: (i: number, j: number) => boolean;
}

/** For one query and one database condition: the true matches left after the exclusions, and the first one's rank. */
export interface QueryOutcome {
  row: number;
  trueMatches: number[];
  /** 1-based rank of the first true match within the table's k results, or null when none is there. */
  firstTrueRank: number | null;
}

/** Returns the outcome of every query of `queryCondition` against `databaseCondition`, in row order. */
export function queryOutcomes(index: RetrievalIndex, truth: GroundTruth, queryCondition: number, databaseCondition: number): QueryOutcome[] {
  const outcomes: QueryOutcome[] = [];
  for (let row = 0; row < index.samples.length; row++) {
    if (index.conditionOf[row] !== queryCondition) continue;
    const trueMatches = truth.trueMatchesOf(row).filter((j) => index.conditionOf[j] === databaseCondition && !index.exclude(row, j));
    const neighbours = index.table.neighboursOf(row, databaseCondition);
    const position = neighbours.findIndex((neighbour) => truth.isTrueMatch(row, neighbour.index));
    outcomes.push({ row, trueMatches, firstTrueRank: position < 0 ? null : position + 1 });
  }
  return outcomes;
}

export function computeRecallCell(index: RetrievalIndex, truth: GroundTruth, queryCondition: number, databaseCondition: number): RecallCell {
  const maxK = RECALL_KS[RECALL_KS.length - 1]!;
  if (index.table.k < maxK) {
    throw new ApronError('internal', `The neighbour table keeps ${index.table.k} results per query, but recall@${maxK} needs ${maxK}.`);
  }
  const outcomes = queryOutcomes(index, truth, queryCondition, databaseCondition);
  const counted = outcomes.filter((outcome) => outcome.trueMatches.length > 0);
  const recall = RECALL_KS.map((k) => {
    const hits = counted.filter((outcome) => outcome.firstTrueRank !== null && outcome.firstTrueRank <= k).length;
    return { k, hits, recall: counted.length === 0 ? null : hits / counted.length };
  });
  let databaseSize = 0;
  for (const condition of index.conditionOf) if (condition === databaseCondition) databaseSize++;

  return {
    queryCondition: index.conditions[queryCondition]!,
    databaseCondition: index.conditions[databaseCondition]!,
    queriesWithMatch: counted.length,
    queriesWithoutMatch: outcomes.length - counted.length,
    databaseSize,
    recall,
  };
}

/** Computes every cell, row by row: query condition 0 against each database condition, then query condition 1, and so on. */
export function computeRecallMatrix(index: RetrievalIndex, truth: GroundTruth): RecallCell[] {
  const cells: RecallCell[] = [];
  for (let query = 0; query < index.conditions.length; query++) {
    for (let database = 0; database < index.conditions.length; database++) cells.push(computeRecallCell(index, truth, query, database));
  }
  return cells;
}
