/**
 * Exact top-k cosine search over L2-normalised float32 vectors (N rows of D values, row-major).
 *
 * Scores are dot products, which equal cosine similarity for unit vectors. Ties are broken by the
 * lower row index, so results never depend on block sizes or arrival order.
 *
 * This is plain JavaScript rather than a TensorFlow.js matMul. On 5,000 x 128 vectors with k = 10
 * and one core (Node 20), `topKAll` takes 1.2 s. The wasm backend computes the full 5,000 x 5,000
 * product in 0.25 s, but it sums in float32 in an unspecified order. So score(i, j) may differ
 * from score(j, i), and ties stop being reproducible. Also, `tf.setBackend` is global state that
 * would be shared with training in the same process.
 *
 * NOTE: all pairs grow as N^2: about 5 minutes for 100k rows at this speed. Past some tens of
 * thousands of rows the caller should move to a wasm matMul in a worker or an approximate index.
 */
import { ApronError } from '../core/errors.js';
import { dotQuery, dotTile } from './dot-tile.js';
import { TopKHeaps, type Neighbour } from './top-k-heap.js';

export type { Neighbour } from './top-k-heap.js';

/** Maximum deviation of a row's L2 norm from 1 that the index accepts (float32 rounding is ~1e-7). */
const UNIT_NORM_TOLERANCE = 1e-3;

/**
 * Rows per block in the all-pairs pass. Two blocks of 256 x 128 float32 values (256 KiB) and a
 * 256 x 256 float64 tile (512 KiB) stay in a typical L2 cache.
 */
const BLOCK_ROWS = 256;

export interface TopKAllOptions {
  /** Keep pair (i, j) only when this returns true. Called only for candidates that would enter row i's list. */
  filter?: (i: number, j: number) => boolean;
  /** Called after each block of rows with the number of row pairs scored so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** The k best other rows of every row, best first. Rows with fewer than k candidates have fewer entries. */
export interface TopKTable {
  k: number;
  rows: number;
  neighboursOf(row: number): Neighbour[];
}

export class ExactIndex {
  readonly vectors: Float32Array;
  readonly dimension: number;
  readonly count: number;

  constructor(vectors: Float32Array, dimension: number) {
    checkShape(vectors, dimension);
    this.vectors = vectors;
    this.dimension = dimension;
    this.count = vectors.length / dimension;
    assertUnitRows(vectors, dimension);
  }

  /** Return the k rows most similar to `query` (a unit vector of length D), best first. */
  search(query: Float32Array, k: number): Neighbour[] {
    if (query.length !== this.dimension) {
      throw new ApronError('invalid-input', `Query has ${query.length} values, but the index has dimension ${this.dimension}`);
    }
    const heaps = new TopKHeaps(1, Math.min(checkK(k), this.count));
    for (let j = 0; j < this.count; j++) {
      const score = dotQuery(this.vectors, this.dimension, query, j);
      if (heaps.wouldAccept(0, score, j)) heaps.push(0, score, j);
    }
    return heaps.sorted(0);
  }

  /**
   * For every row, its k best other rows (never itself) that pass `filter`.
   *
   * Each unordered pair is scored once, in blocks, and offered to both rows' lists, which halves
   * the work of a plain all-queries loop.
   */
  topKAll(k: number, options: TopKAllOptions = {}): TopKTable {
    const count = this.count;
    const heaps = new TopKHeaps(count, Math.min(checkK(k), Math.max(count - 1, 0)));
    const filter = options.filter;
    const tile = new Float64Array(BLOCK_ROWS * BLOCK_ROWS);
    const totalPairs = (count * (count - 1)) / 2;
    let donePairs = 0;

    const offer = (row: number, other: number, score: number): void => {
      if (!heaps.wouldAccept(row, score, other)) return;
      if (filter !== undefined && !filter(row, other)) return;
      heaps.push(row, score, other);
    };

    for (let rowStart = 0; rowStart < count; rowStart += BLOCK_ROWS) {
      const rowEnd = Math.min(rowStart + BLOCK_ROWS, count);
      for (let colStart = rowStart; colStart < count; colStart += BLOCK_ROWS) {
        const colEnd = Math.min(colStart + BLOCK_ROWS, count);
        const width = colEnd - colStart;
        dotTile(this.vectors, this.dimension, rowStart, rowEnd, colStart, colEnd, tile);

        for (let i = rowStart; i < rowEnd; i++) {
          const tileRow = (i - rowStart) * width;
          // On the diagonal block only the pairs above the diagonal are new.
          const firstCol = colStart === rowStart ? i + 1 : colStart;
          for (let j = firstCol; j < colEnd; j++) {
            const score = tile[tileRow + j - colStart]!;
            offer(i, j, score);
            offer(j, i, score);
          }
        }
      }
      donePairs += pairsUpTo(rowEnd, count) - pairsUpTo(rowStart, count);
      options.onProgress?.(donePairs, totalPairs);
    }

    return { k: heaps.k, rows: count, neighboursOf: (row) => heaps.sorted(row) };
  }
}

/** Number of unordered pairs (i, j), i < j, with i below `rows`, in a set of `count` rows. */
function pairsUpTo(rows: number, count: number): number {
  return rows * count - (rows * (rows + 1)) / 2;
}

function checkShape(vectors: Float32Array, dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new ApronError('invalid-input', `Vector dimension must be a positive integer, got ${dimension}`);
  }
  if (vectors.length % dimension !== 0) {
    throw new ApronError('invalid-input', `Vector array of length ${vectors.length} is not a whole number of rows of dimension ${dimension}`, {
      hint: 'Check that the embeddings file and its stated dimension belong together.',
    });
  }
}

function checkK(k: number): number {
  if (!Number.isInteger(k) || k < 0) {
    throw new ApronError('invalid-input', `k must be a non-negative integer, got ${k}`);
  }
  return k;
}

/** Throw an error naming the first row whose L2 norm is not 1 (within float32 rounding). */
function assertUnitRows(vectors: Float32Array, dimension: number): void {
  const count = vectors.length / dimension;
  for (let row = 0; row < count; row++) {
    let sumOfSquares = 0;
    for (let d = 0; d < dimension; d++) {
      const value = vectors[row * dimension + d]!;
      sumOfSquares += value * value;
    }
    const norm = Math.sqrt(sumOfSquares);
    if (!(Math.abs(norm - 1) <= UNIT_NORM_TOLERANCE)) {
      throw new ApronError('invalid-input', `Vector row ${row} has L2 norm ${norm}, but exact cosine search needs unit vectors`, {
        hint: 'Normalise the embeddings first (normaliseRows), or re-export them normalised. A norm of 0 or NaN means the encoder produced a broken vector.',
      });
    }
  }
}

/**
 * Return a copy of `vectors` with every row scaled to unit L2 norm. A zero or non-finite row raises an
 * error naming the row, because it has no direction to compare.
 */
export function normaliseRows(vectors: Float32Array, dimension: number): Float32Array {
  checkShape(vectors, dimension);
  const out = new Float32Array(vectors.length);
  const count = vectors.length / dimension;
  for (let row = 0; row < count; row++) {
    let sumOfSquares = 0;
    for (let d = 0; d < dimension; d++) {
      const value = vectors[row * dimension + d]!;
      sumOfSquares += value * value;
    }
    const norm = Math.sqrt(sumOfSquares);
    if (!(norm > 0) || !Number.isFinite(norm)) {
      throw new ApronError('invalid-input', `Vector row ${row} has L2 norm ${norm} and cannot be normalised`, {
        hint: 'Check the encoder output for this sample: a zero or NaN embedding usually means a failed forward pass.',
      });
    }
    for (let d = 0; d < dimension; d++) out[row * dimension + d] = vectors[row * dimension + d]! / norm;
  }
  return out;
}
