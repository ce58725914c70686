/** Unordered pairs of sample ids: (a, b) and (b, a) are the same pair. */

export interface SamplePair {
  a: string;
  b: string;
}

/** Build a key that is equal for (a, b) and (b, a). Two pairs could share a key only if an id contained NUL. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** A set of unordered sample-id pairs. */
export class PairSet {
  private readonly keys = new Set<string>();

  static from(pairs: Iterable<SamplePair>): PairSet {
    const set = new PairSet();
    for (const pair of pairs) set.add(pair.a, pair.b);
    return set;
  }

  get size(): number {
    return this.keys.size;
  }

  add(a: string, b: string): void {
    this.keys.add(pairKey(a, b));
  }

  has(a: string, b: string): boolean {
    return this.keys.has(pairKey(a, b));
  }

  /** Every pair once, with `a` the smaller id. */
  *pairs(): IterableIterator<SamplePair> {
    for (const key of this.keys) {
      const separator = key.indexOf('\u0000');
      yield { a: key.slice(0, separator), b: key.slice(separator + 1) };
    }
  }
}
