/**
 * Canonical order of a pair of sample ids. A pair is unordered, so the store keeps the smaller id
 * first and every lookup uses the same order.
 *
 * "Smaller" is byte order of the UTF-8 encoding, which is how SQLite's default BINARY collation
 * compares TEXT. JavaScript's `<` compares UTF-16 code units instead, and the two disagree for
 * characters above U+FFFF against U+E000..U+FFFF, which would break the table's
 * `CHECK (sample_a < sample_b)`.
 */

export interface SamplePair {
  a: string;
  b: string;
}

/**
 * Negative, zero or positive as `left` sorts before, with or after `right` in SQLite BINARY order.
 *
 * UTF-8 byte order is code point order. UTF-16 code units follow it except where a surrogate
 * (part of a character above U+FFFF) meets a unit in U+E000..U+FFFF, so only that case is turned
 * round. Comparing code units directly is about ten times faster than encoding both ids, which
 * matters when a mask export orders millions of pairs.
 */
export function compareSampleIds(left: string, right: string): number {
  if (left === right) return 0;
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const l = left.charCodeAt(i);
    const r = right.charCodeAt(i);
    if (l === r) continue;
    const leftSurrogate = l >= 0xd800 && l <= 0xdfff;
    const rightSurrogate = r >= 0xd800 && r <= 0xdfff;
    if (leftSurrogate && !rightSurrogate && r >= 0xe000) return 1;
    if (rightSurrogate && !leftSurrogate && l >= 0xe000) return -1;
    return l - r;
  }
  return left.length - right.length;
}

/** Orders the pair with the smaller id first. Callers check beforehand that the two ids differ. */
export function canonicalPair(first: string, second: string): SamplePair {
  return compareSampleIds(first, second) <= 0 ? { a: first, b: second } : { a: second, b: first };
}
