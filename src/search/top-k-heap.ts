/**
 * Bounded top-k lists for many rows at once, stored in flat typed arrays so that a million rows
 * of k neighbours do not become a million small objects.
 *
 * Order: a higher score is better; at equal scores the lower index is better, so results never
 * depend on the order in which candidates arrive.
 */

/** One neighbour of a row: its row index and its cosine similarity. */
export interface Neighbour {
  index: number;
  score: number;
}

/** True when candidate (scoreA, indexA) ranks strictly before (scoreB, indexB). */
export function ranksBefore(scoreA: number, indexA: number, scoreB: number, indexB: number): boolean {
  return scoreA > scoreB || (scoreA === scoreB && indexA < indexB);
}

/**
 * `rows` min-heaps of at most `k` entries each. The root of each heap is its worst entry, so a
 * candidate that does not beat the root is rejected with one comparison.
 */
export class TopKHeaps {
  readonly rows: number;
  readonly k: number;
  private readonly scores: Float64Array;
  private readonly indices: Int32Array;
  private readonly sizes: Int32Array;

  constructor(rows: number, k: number) {
    this.rows = rows;
    this.k = k;
    this.scores = new Float64Array(rows * k);
    this.indices = new Int32Array(rows * k);
    this.sizes = new Int32Array(rows);
  }

  /** True when `index` with `score` would enter the list of `row` (before any filter is asked). */
  wouldAccept(row: number, score: number, index: number): boolean {
    if (this.k === 0) return false;
    const size = this.sizes[row]!;
    if (size < this.k) return true;
    const root = row * this.k;
    return ranksBefore(score, index, this.scores[root]!, this.indices[root]!);
  }

  /** Add a candidate that `wouldAccept` approved, evicting the worst entry when the list is full. */
  push(row: number, score: number, index: number): void {
    const base = row * this.k;
    const size = this.sizes[row]!;
    if (size < this.k) {
      this.siftUp(base, size, score, index);
      this.sizes[row] = size + 1;
      return;
    }
    this.siftDown(base, size, score, index);
  }

  /** Return the entries of `row`, best first. */
  sorted(row: number): Neighbour[] {
    const base = row * this.k;
    const size = this.sizes[row]!;
    const out: Neighbour[] = [];
    for (let slot = 0; slot < size; slot++) out.push({ index: this.indices[base + slot]!, score: this.scores[base + slot]! });
    out.sort((a, b) => (ranksBefore(a.score, a.index, b.score, b.index) ? -1 : 1));
    return out;
  }

  private siftUp(base: number, position: number, score: number, index: number): void {
    let slot = position;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      const parentScore = this.scores[base + parent]!;
      const parentIndex = this.indices[base + parent]!;
      // The parent must be worse than (or equal to) its children; stop once it is.
      if (!ranksBefore(parentScore, parentIndex, score, index)) break;
      this.scores[base + slot] = parentScore;
      this.indices[base + slot] = parentIndex;
      slot = parent;
    }
    this.scores[base + slot] = score;
    this.indices[base + slot] = index;
  }

  private siftDown(base: number, size: number, score: number, index: number): void {
    let slot = 0;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= size) break;
      let worst = left;
      const right = left + 1;
      if (
        right < size &&
        ranksBefore(this.scores[base + left]!, this.indices[base + left]!, this.scores[base + right]!, this.indices[base + right]!)
      ) {
        worst = right;
      }
      const worstScore = this.scores[base + worst]!;
      const worstIndex = this.indices[base + worst]!;
      if (!ranksBefore(score, index, worstScore, worstIndex)) break;
      this.scores[base + slot] = worstScore;
      this.indices[base + slot] = worstIndex;
      slot = worst;
    }
    this.scores[base + slot] = score;
    this.indices[base + slot] = index;
  }
}
