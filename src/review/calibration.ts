/**
 * P(same | similarity) for one queue, fitted to the decisions made so far by isotonic regression
 * (pool adjacent violators): the estimate never falls as similarity rises, and no curve shape is
 * assumed beyond that.
 *
 * Each block's estimate is the Beta(1, 1) posterior mean (same + 1) / (decided + 2) rather than the
 * raw share, so a block of three `different` verdicts estimates 0.2, not 0. A running maximum then
 * keeps the smoothed curve non-decreasing. Both steps raise low estimates, so the number of false
 * negatives left is overestimated rather than under, which errs toward reviewing more.
 */

/** A decided item: its similarity and whether the resolved verdict was `same` (`unsure` is left out). */
export interface CalibrationPoint {
  similarity: number;
  same: boolean;
}

/** One step of the fitted curve: items with similarity in [minSimilarity, maxSimilarity]. */
export interface CalibrationBlock {
  minSimilarity: number;
  maxSimilarity: number;
  decided: number;
  same: number;
  /** Smoothed, non-decreasing estimate of P(same) in this block. */
  probability: number;
}

/** Fits the isotonic curve; an empty list of points gives an empty curve. */
export function fitCalibration(points: readonly CalibrationPoint[]): CalibrationBlock[] {
  const sorted = [...points].sort((left, right) => left.similarity - right.similarity);

  // Equal similarities start in one block, so a tie never splits across steps.
  const tied: Block[] = [];
  for (const point of sorted) {
    const last = tied[tied.length - 1];
    if (last !== undefined && last.maxSimilarity === point.similarity) {
      last.decided++;
      last.same += point.same ? 1 : 0;
    } else {
      tied.push({ minSimilarity: point.similarity, maxSimilarity: point.similarity, decided: 1, same: point.same ? 1 : 0 });
    }
  }
  const pooled = poolAdjacentViolators(tied);

  let floor = 0;
  return pooled.map((block) => {
    floor = Math.max(floor, (block.same + 1) / (block.decided + 2));
    return { ...block, probability: floor };
  });
}

type Block = Omit<CalibrationBlock, 'probability'>;

/** Merges each block backwards into its predecessor while the share of `same` would fall. */
function poolAdjacentViolators(blocks: readonly Block[]): Block[] {
  const result: Block[] = [];
  for (const block of blocks) {
    result.push({ ...block });
    while (result.length >= 2) {
      const current = result[result.length - 1]!;
      const previous = result[result.length - 2]!;
      if (previous.same / previous.decided <= current.same / current.decided) break;
      previous.maxSimilarity = current.maxSimilarity;
      previous.decided += current.decided;
      previous.same += current.same;
      result.pop();
    }
  }
  return result;
}

/**
 * Estimated P(same) at a similarity: the block's value inside a block, linear between the edges of
 * neighbouring blocks, and the end block's value outside the fitted range. Null for an empty curve.
 */
export function predictSame(curve: readonly CalibrationBlock[], similarity: number): number | null {
  const first = curve[0];
  if (first === undefined) return null;
  if (similarity <= first.maxSimilarity) return first.probability;

  // Binary search for the first block that ends at or above the similarity: a queue of 100,000
  // items is scored against curves of hundreds of blocks.
  let low = 1;
  let high = curve.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (curve[middle]!.maxSimilarity < similarity) low = middle + 1;
    else high = middle;
  }
  if (low === curve.length) return curve[curve.length - 1]!.probability;

  const block = curve[low]!;
  if (similarity >= block.minSimilarity) return block.probability;
  const previous = curve[low - 1]!;
  const share = (similarity - previous.maxSimilarity) / (block.minSimilarity - previous.maxSimilarity);
  return previous.probability + share * (block.probability - previous.probability);
}
