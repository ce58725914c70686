/**
 * The nearest database samples of every query, kept separately for each database condition, so
 * that one pass over all pairs serves every cell of the recall matrix.
 *
 * The pass follows ExactIndex.topKAll: blocks of rows, each unordered pair scored once with
 * dotTile and offered to both rows. A row's heap for condition c only takes rows of condition c.
 */
import { ApronError } from '../core/errors.js';
import { dotQuery, dotTile } from '../search/dot-tile.js';
import type { HnswIndex } from '../search/hnsw.js';
import { TopKHeaps, type Neighbour } from '../search/top-k-heap.js';

/** Rows per block; two blocks and their tile stay in a typical L2 cache, as in ExactIndex. */
const BLOCK_ROWS = 256;

export interface NeighbourTableInput {
  /** Unit rows, row-major. */
  vectors: Float32Array;
  dimension: number;
  /** Condition index of each row, or -1 for a row that is neither query nor database sample. */
  conditionOf: Int32Array;
  conditionCount: number;
  k: number;
  /** True when row `j` must not be a result of query row `i`. */
  exclude: (i: number, j: number) => boolean;
  /**
   * HNSW index over `vectors` (labels are rows). When given, each query row runs one filtered
   * search per condition instead of the exact all-pairs pass, so results may miss true neighbours.
   */
  approximate?: HnswIndex;
}

export interface NeighbourTable {
  k: number;
  /** The best `k` rows of `condition` for query `row`, best first (ties to the lower row). */
  neighboursOf(row: number, condition: number): Neighbour[];
}

export function buildNeighbourTable(input: NeighbourTableInput): NeighbourTable {
  if (input.approximate !== undefined) return buildApproximateTable(input, input.approximate);
  const { vectors, dimension, conditionOf, conditionCount, exclude } = input;
  const count = conditionOf.length;
  const heaps = new TopKHeaps(count * conditionCount, input.k);
  const tile = new Float64Array(BLOCK_ROWS * BLOCK_ROWS);

  const offer = (row: number, other: number, score: number): void => {
    const condition = conditionOf[other]!;
    if (conditionOf[row]! < 0 || condition < 0) return;
    const heap = row * conditionCount + condition;
    if (!heaps.wouldAccept(heap, score, other)) return;
    if (exclude(row, other)) return;
    heaps.push(heap, score, other);
  };

  for (let rowStart = 0; rowStart < count; rowStart += BLOCK_ROWS) {
    const rowEnd = Math.min(rowStart + BLOCK_ROWS, count);
    for (let colStart = rowStart; colStart < count; colStart += BLOCK_ROWS) {
      const colEnd = Math.min(colStart + BLOCK_ROWS, count);
      const width = colEnd - colStart;
      dotTile(vectors, dimension, rowStart, rowEnd, colStart, colEnd, tile);
      for (let i = rowStart; i < rowEnd; i++) {
        const tileRow = (i - rowStart) * width;
        const firstCol = colStart === rowStart ? i + 1 : colStart;
        for (let j = firstCol; j < colEnd; j++) {
          const score = tile[tileRow + j - colStart]!;
          offer(i, j, score);
          offer(j, i, score);
        }
      }
    }
  }

  const sorted = new Map<number, Neighbour[]>();
  return {
    k: input.k,
    neighboursOf(row, condition) {
      const heap = row * conditionCount + condition;
      let list = sorted.get(heap);
      if (list === undefined) {
        list = heaps.sorted(heap);
        sorted.set(heap, list);
      }
      return list;
    },
  };
}

/**
 * Builds the table with one filtered HNSW search per query row and condition. The filter applies
 * the condition and the exclusion inside the graph search, so a condition's list fills up even when
 * its rows are far.
 *
 * A filtered search visits about max(efSearch, k) * N / n nodes to collect enough of a condition's
 * n rows, so for a condition with n^2 <= max(efSearch, k) * N a plain scan of its n rows costs no
 * more and is exact. Such small conditions are scanned instead.
 */
function buildApproximateTable(input: NeighbourTableInput, index: HnswIndex): NeighbourTable {
  const { vectors, dimension, conditionOf, conditionCount, exclude } = input;
  const count = conditionOf.length;
  if (index.count !== count) {
    throw new ApronError('invalid-input', `HNSW index has ${index.count} rows, but the neighbour table has ${count}`, {
      hint: 'Open the index over the same embedding version as the vectors.',
    });
  }
  const rowsOf = rowsByCondition(conditionOf, conditionCount);
  const candidates = Math.max(index.parameters.efSearch, input.k);
  const scanned = rowsOf.map((rows) => rows.length * rows.length <= candidates * count);
  const lists: Neighbour[][] = new Array<Neighbour[]>(count * conditionCount);

  for (let row = 0; row < count; row++) {
    if (conditionOf[row]! < 0) continue;
    const query = vectors.subarray(row * dimension, (row + 1) * dimension);
    for (let condition = 0; condition < conditionCount; condition++) {
      const allowed = (label: number): boolean => label !== row && conditionOf[label] === condition && !exclude(row, label);
      lists[row * conditionCount + condition] = scanned[condition]
        ? scanRows(vectors, dimension, query, rowsOf[condition]!, input.k, allowed)
        : index.searchFiltered(query, input.k, allowed);
    }
  }

  return {
    k: input.k,
    neighboursOf: (row, condition) => lists[row * conditionCount + condition] ?? [],
  };
}

function rowsByCondition(conditionOf: Int32Array, conditionCount: number): number[][] {
  const rowsOf: number[][] = Array.from({ length: conditionCount }, () => []);
  conditionOf.forEach((condition, row) => {
    if (condition >= 0) rowsOf[condition]!.push(row);
  });
  return rowsOf;
}

/** Returns the k best of `rows` for `query` that `allowed` accepts, by exact dot product. */
function scanRows(vectors: Float32Array, dimension: number, query: Float32Array, rows: readonly number[], k: number, allowed: (label: number) => boolean): Neighbour[] {
  const heaps = new TopKHeaps(1, k);
  for (const other of rows) {
    const score = dotQuery(vectors, dimension, query, other);
    if (heaps.wouldAccept(0, score, other) && allowed(other)) heaps.push(0, score, other);
  }
  return heaps.sorted(0);
}
