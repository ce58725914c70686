/**
 * The nearest database samples of every query, kept separately for each database condition, so
 * that one pass over all pairs serves every cell of the recall matrix.
 *
 * The pass follows ExactIndex.topKAll: blocks of rows, each unordered pair scored once with
 * dotTile and offered to both rows. A row's heap for condition c only takes rows of condition c.
 */
import { dotTile } from '../search/dot-tile.js';
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
}

export interface NeighbourTable {
  k: number;
  /** The best `k` rows of `condition` for query `row`, best first (ties to the lower row). */
  neighboursOf(row: number, condition: number): Neighbour[];
}

export function buildNeighbourTable(input: NeighbourTableInput): NeighbourTable {
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
