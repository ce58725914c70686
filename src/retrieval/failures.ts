/**
 * The failure grid of one recall-matrix cell: each query with its first k results, whether each
 * is a true match, and the most similar true match with its rank. Worst cases come first.
 */
import { dotRows } from '../search/dot-tile.js';
import type { RetrievalFailure } from './api-types.js';
import type { GroundTruth } from './ground-truth.js';
import { queryOutcomes, type RetrievalIndex } from './recall-matrix.js';

export interface FailureGridPage {
  /** Queries of the cell with at least one true match. */
  total: number;
  failures: RetrievalFailure[];
}

interface RankedQuery {
  failure: RetrievalFailure;
  /** How far the best result's similarity lies above the best true match's; larger is worse. */
  margin: number;
}

/**
 * Lists the cell's queries worst first: true match beyond k before any rank, then higher ranks
 * first, then the larger similarity margin between the best result and the true match, then query id.
 */
export function listFailures(
  index: RetrievalIndex,
  truth: GroundTruth,
  queryCondition: number,
  databaseCondition: number,
  options: { k: number; offset: number; limit: number },
): FailureGridPage {
  const ranked: RankedQuery[] = [];
  for (const outcome of queryOutcomes(index, truth, queryCondition, databaseCondition)) {
    if (outcome.trueMatches.length === 0) continue;
    const row = outcome.row;
    const neighbours = index.table.neighboursOf(row, databaseCondition);
    const results = neighbours.slice(0, options.k).map((neighbour, position) => ({
      sampleId: index.samples[neighbour.index]!.sampleId,
      similarity: neighbour.score,
      rank: position + 1,
      isTrueMatch: truth.isTrueMatch(row, neighbour.index),
    }));

    // The most similar true match; at equal similarity the lower row, as the ranking breaks ties.
    let bestRow = -1;
    let bestScore = -Infinity;
    for (const j of outcome.trueMatches) {
      const score = dotRows(index.vectors, index.dimension, row, j);
      if (score > bestScore) {
        bestScore = score;
        bestRow = j;
      }
    }
    const rank = outcome.firstTrueRank !== null && outcome.firstTrueRank <= options.k ? outcome.firstTrueRank : null;
    const topScore = neighbours[0]?.score ?? bestScore;
    ranked.push({
      failure: {
        querySampleId: index.samples[row]!.sampleId,
        results,
        trueMatch: { sampleId: index.samples[bestRow]!.sampleId, similarity: bestScore, rank },
      },
      margin: topScore - bestScore,
    });
  }

  ranked.sort(compareWorstFirst);
  return {
    total: ranked.length,
    failures: ranked.slice(options.offset, options.offset + options.limit).map((entry) => entry.failure),
  };
}

function compareWorstFirst(a: RankedQuery, b: RankedQuery): number {
  const rankA = a.failure.trueMatch?.rank ?? Infinity;
  const rankB = b.failure.trueMatch?.rank ?? Infinity;
  if (rankA !== rankB) return rankB - rankA;
  if (a.margin !== b.margin) return b.margin - a.margin;
  if (a.failure.querySampleId < b.failure.querySampleId) return -1;
  if (a.failure.querySampleId > b.failure.querySampleId) return 1;
  return 0;
}
