/**
 * One interface over exact search and the HNSW index, so that mining and retrieval call the same
 * methods whichever the strategy chose. Labels are row indices in both.
 */
import { ExactIndex, type Neighbour, type TopKAllOptions, type TopKTable } from './exact.js';
import type { HnswIndex } from './hnsw.js';
import type { SearchInfo } from './strategy.js';

export interface VectorSearch {
  readonly info: SearchInfo;
  readonly count: number;
  /** The graph behind an approximate search, for callers that search it with their own filters. */
  readonly hnsw?: HnswIndex;
  /** The k rows most similar to `query`, best first, ties by lower row. */
  search(query: Float32Array, k: number): Neighbour[];
  /**
   * For every row, its k best other rows (never itself) for which `filter` returns true.
   * `onProgress` counts row pairs for exact search and query rows for the HNSW index.
   */
  topKAll(k: number, options?: TopKAllOptions): TopKTable;
}

/** Wraps an ExactIndex: every result is the true top k. */
export function exactSearch(vectors: Float32Array, dimension: number): VectorSearch {
  const index = new ExactIndex(vectors, dimension);
  return {
    info: { kind: 'exact', rows: index.count },
    count: index.count,
    search: (query, k) => index.search(query, k),
    topKAll: (k, options = {}) => index.topKAll(k, options),
  };
}

/**
 * Wraps an HnswIndex. `topKAll` runs one filtered search per row, so masked candidates are skipped
 * inside the graph search instead of after it: a row whose nearest rows are all masked still gets
 * k results, as with exact search. A row gets fewer than k only when hnswlib visited every
 * reachable point (see HnswIndex.searchFiltered), or when fewer than k other rows pass the filter.
 */
export function approximateSearch(index: HnswIndex, info: SearchInfo): VectorSearch {
  return {
    info,
    count: index.count,
    hnsw: index,
    search: (query, k) => index.search(query, k),
    topKAll: (k, options = {}) => filteredTopKAll(index, k, options),
  };
}

function filteredTopKAll(index: HnswIndex, k: number, options: TopKAllOptions): TopKTable {
  const count = index.count;
  const rowK = Math.min(k, Math.max(count - 1, 0));
  const filter = options.filter;
  const lists: Neighbour[][] = new Array<Neighbour[]>(count);
  const progressEvery = 1024;

  for (let row = 0; row < count; row++) {
    const allowed = filter === undefined ? (label: number) => label !== row : (label: number) => label !== row && filter(row, label);
    lists[row] = rowK === 0 ? [] : index.searchFiltered(index.vectorOf(row), rowK, allowed);
    if ((row + 1) % progressEvery === 0 || row + 1 === count) options.onProgress?.(row + 1, count);
  }

  return { k: rowK, rows: count, neighboursOf: (row) => lists[row] ?? [] };
}
