/**
 * Hard-negative candidates: the nearest neighbours that belong to a different place or show a
 * different main object class, laid out as a board grouped by place pair or class pair.
 *
 * - `place`: both samples have what the ground-truth rule reads (place ids or poses), the rule
 *   does not match the pair, and no `same` decision joins it
 *   (see ground-truth.ts). The neighbour search applies the rule only, so that its result
 *   stays valid while decisions change, and the board drops pairs that decisions join.
 * - `class`: both samples have a main class (main-class.ts) and the two differ.
 *
 * Pairs a reviewer already decided, in any verdict, are left out, so a confirmed candidate leaves the board.
 */
import type { HardNegativeCandidate, HardNegativeGroup } from './api-types.js';
import type { GroundTruth } from './ground-truth.js';
import type { HnswIndex } from '../search/hnsw.js';
import { buildNeighbourTable } from './neighbour-table.js';
import type { RetrievalSample } from './samples.js';

/** Neighbours kept per sample before decided pairs are removed; a few per sample keeps the board varied. */
export const CANDIDATES_PER_SAMPLE = 5;

export interface HardNegativeInput {
  samples: readonly RetrievalSample[];
  vectors: Float32Array;
  dimension: number;
  groupBy: 'class' | 'place';
  truth: GroundTruth;
  exclude: (i: number, j: number) => boolean;
  /** HNSW index over `vectors`, searched instead of all pairs when given (see buildNeighbourTable). */
  approximate?: HnswIndex;
}

/** Label of a sample's place on the board: its place id, else its site, else null. */
export function placeLabel(sample: RetrievalSample): string | null {
  return sample.placeId ?? sample.site ?? null;
}

/** Returns every candidate pair once, most similar first (ties by sample ids), before decided pairs are dropped. */
export function findHardNegativeCandidates(input: HardNegativeInput): HardNegativeCandidate[] {
  const { samples, groupBy, truth } = input;
  const isNegative = (i: number, j: number): boolean => {
    if (groupBy === 'place') return truth.ruleApplies(i, j) && !truth.ruleMatches(i, j);
    const classA = samples[i]!.mainClass;
    const classB = samples[j]!.mainClass;
    return classA !== null && classB !== null && classA !== classB;
  };
  const table = buildNeighbourTable({
    vectors: input.vectors,
    dimension: input.dimension,
    // One condition for every row: hard negatives are searched across all conditions.
    conditionOf: new Int32Array(samples.length),
    conditionCount: 1,
    k: CANDIDATES_PER_SAMPLE,
    exclude: (i, j) => input.exclude(i, j) || !isNegative(i, j),
    ...(input.approximate === undefined ? {} : { approximate: input.approximate }),
  });

  const seen = new Set<string>();
  const candidates: HardNegativeCandidate[] = [];
  for (let row = 0; row < samples.length; row++) {
    for (const neighbour of table.neighboursOf(row, 0)) {
      const [first, second] = row < neighbour.index ? [row, neighbour.index] : [neighbour.index, row];
      const key = `${first}:${second}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const a = samples[first]!;
      const b = samples[second]!;
      candidates.push({
        sampleA: a.sampleId,
        sampleB: b.sampleId,
        similarity: neighbour.score,
        classA: a.mainClass,
        classB: b.mainClass,
        placeA: placeLabel(a),
        placeB: placeLabel(b),
      });
    }
  }
  return candidates.sort(compareCandidates);
}

/**
 * Drops the candidates that `isOpen` rejects (decided pairs, pairs joined by `same` decisions), keeps the `limit` most similar candidates and groups them by class pair or
 * place pair. Groups are ordered by their most similar candidate.
 */
export function buildHardNegativeBoard(
  candidates: readonly HardNegativeCandidate[],
  groupBy: 'class' | 'place',
  isOpen: (candidate: HardNegativeCandidate) => boolean,
  limit: number,
): HardNegativeGroup[] {
  const open = candidates.filter(isOpen).slice(0, limit);
  const groups = new Map<string, HardNegativeCandidate[]>();
  for (const candidate of open) {
    const labels = groupBy === 'class' ? [candidate.classA, candidate.classB] : [candidate.placeA, candidate.placeB];
    const key = labels.map((label) => label ?? 'unknown').sort().join(' / ');
    const list = groups.get(key) ?? [];
    list.push(candidate);
    groups.set(key, list);
  }
  // Candidates arrive most similar first, so each group's first entry is its best and Map order is group order.
  return [...groups].map(([key, list]) => ({ key, candidates: list }));
}

function compareCandidates(a: HardNegativeCandidate, b: HardNegativeCandidate): number {
  if (a.similarity !== b.similarity) return b.similarity - a.similarity;
  const keyA = `${a.sampleA}\u0000${a.sampleB}`;
  const keyB = `${b.sampleA}\u0000${b.sampleB}`;
  if (keyA < keyB) return -1;
  if (keyA > keyB) return 1;
  return 0;
}
