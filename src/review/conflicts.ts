/**
 * Conflicts between transitive `same` groups and `different` decisions, each with the chain of
 * `same` pairs that joins its two samples, so a reviewer can see which decision to change.
 */
import { buildDecisionGroups, type PairRef } from '../mask/groups.js';

export interface DecisionConflict {
  /** The `different` pair, in canonical order. */
  different: PairRef;
  /** Group id (smallest sample id) of the `same` group holding both samples. */
  groupId: string;
  /** Samples from `different.a` to `different.b`, each step a `same` pair; a shortest such chain. */
  path: string[];
  /** The `same` pairs along `path`, each in canonical order as given. */
  chain: PairRef[];
}

/**
 * Lists each `different` pair whose samples share a `same` group, with a shortest chain of `same`
 * pairs between them (breadth-first search, neighbours visited in sorted order so ties are stable).
 */
export function findConflicts(same: readonly PairRef[], different: readonly PairRef[]): DecisionConflict[] {
  const groups = buildDecisionGroups([...same], [...different]);
  if (groups.conflicts.length === 0) return [];

  const neighbours = new Map<string, Map<string, PairRef>>();
  const link = (from: string, to: string, pair: PairRef): void => {
    const map = neighbours.get(from) ?? new Map<string, PairRef>();
    map.set(to, pair);
    neighbours.set(from, map);
  };
  for (const pair of same) {
    if (pair.a === pair.b) continue;
    link(pair.a, pair.b, pair);
    link(pair.b, pair.a, pair);
  }

  return groups.conflicts.map((pair) => {
    const path = shortestPath(neighbours, pair.a, pair.b);
    const chain: PairRef[] = [];
    for (let i = 1; i < path.length; i++) chain.push(neighbours.get(path[i - 1]!)!.get(path[i]!)!);
    return { different: pair, groupId: groups.groupOf.get(pair.a)!, path, chain };
  });
}

function shortestPath(neighbours: ReadonlyMap<string, ReadonlyMap<string, PairRef>>, start: string, goal: string): string[] {
  const cameFrom = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    if (node === goal) break;
    const next = [...(neighbours.get(node)?.keys() ?? [])].sort();
    for (const other of next) {
      if (cameFrom.has(other)) continue;
      cameFrom.set(other, node);
      queue.push(other);
    }
  }

  // buildDecisionGroups put both samples in one group, so the goal is always reached.
  const path: string[] = [];
  for (let node: string | null | undefined = goal; node !== null && node !== undefined; node = cameFrom.get(node)) path.push(node);
  return path.reverse();
}
