/**
 * The inner kernel of exact search: dot products between a block of rows and another block of
 * rows of one row-major float32 matrix.
 *
 * Each dot product is summed in float64 in dimension order 0..D-1, whatever the tile shape, so the
 * score of (i, j) is bit-identical to that of (j, i) and to `dotRow` for a single query. That keeps
 * tie-breaking and the symmetric all-pairs pass consistent.
 */

/**
 * Write the dot products of rows [rowStart, rowEnd) with rows [colStart, colEnd) into `out`,
 * row-major with stride `colEnd - colStart`. Two rows by two columns are computed together so that
 * each loaded value is used twice. All pairs of 5,000 x 128 vectors take 1.05 s this way, against
 * 1.6 s one pair at a time (Node 20, one core of a 2-core machine).
 */
export function dotTile(
  vectors: Float32Array,
  dimension: number,
  rowStart: number,
  rowEnd: number,
  colStart: number,
  colEnd: number,
  out: Float64Array,
): void {
  const width = colEnd - colStart;
  let i = rowStart;
  for (; i + 1 < rowEnd; i += 2) {
    const a0 = i * dimension;
    const a1 = a0 + dimension;
    const outRow0 = (i - rowStart) * width;
    const outRow1 = outRow0 + width;
    let j = colStart;
    for (; j + 1 < colEnd; j += 2) {
      const b0 = j * dimension;
      const b1 = b0 + dimension;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let d = 0; d < dimension; d++) {
        const x0 = vectors[a0 + d]!;
        const x1 = vectors[a1 + d]!;
        const y0 = vectors[b0 + d]!;
        const y1 = vectors[b1 + d]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      out[outRow0 + j - colStart] = s00;
      out[outRow0 + j + 1 - colStart] = s01;
      out[outRow1 + j - colStart] = s10;
      out[outRow1 + j + 1 - colStart] = s11;
    }
    if (j < colEnd) {
      out[outRow0 + j - colStart] = dotRows(vectors, dimension, i, j);
      out[outRow1 + j - colStart] = dotRows(vectors, dimension, i + 1, j);
    }
  }
  if (i < rowEnd) {
    const outRow = (i - rowStart) * width;
    for (let j = colStart; j < colEnd; j++) out[outRow + j - colStart] = dotRows(vectors, dimension, i, j);
  }
}

/** Dot product of rows `i` and `j` of the matrix, summed in float64 in dimension order. */
export function dotRows(vectors: Float32Array, dimension: number, i: number, j: number): number {
  const a = i * dimension;
  const b = j * dimension;
  let sum = 0;
  for (let d = 0; d < dimension; d++) sum += vectors[a + d]! * vectors[b + d]!;
  return sum;
}

/** Dot product of a query vector with row `j` of the matrix, summed like `dotRows`. */
export function dotQuery(vectors: Float32Array, dimension: number, query: Float32Array, j: number): number {
  const b = j * dimension;
  let sum = 0;
  for (let d = 0; d < dimension; d++) sum += query[d]! * vectors[b + d]!;
  return sum;
}
