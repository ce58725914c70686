/** One row of a pair view: the same sensor in sample A and sample B; null where a sample lacks it. */
export interface MatchedRow<T> {
  a: T | null;
  b: T | null;
}

/**
 * Pair the sensors of two samples for side-by-side rows. Sensors with the same name are paired
 * first; the rest are paired in their order, and any left over get a null partner. Rows follow
 * A's order, with B's unpaired sensors after them.
 */
export function matchByName<T extends { name: string }>(a: readonly T[], b: readonly T[]): MatchedRow<T>[] {
  const partner = new Map<T, T>();
  const usedB = new Set<T>();
  for (const itemA of a) {
    const sameName = b.find((itemB) => !usedB.has(itemB) && itemB.name === itemA.name);
    if (sameName === undefined) continue;
    partner.set(itemA, sameName);
    usedB.add(sameName);
  }

  const restB = b.filter((itemB) => !usedB.has(itemB));
  for (const itemA of a) {
    if (partner.has(itemA)) continue;
    const next = restB.shift();
    if (next === undefined) break;
    partner.set(itemA, next);
  }

  const rows: MatchedRow<T>[] = a.map((itemA) => ({ a: itemA, b: partner.get(itemA) ?? null }));
  for (const itemB of restB) rows.push({ a: null, b: itemB });
  return rows;
}
