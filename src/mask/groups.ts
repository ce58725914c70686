/**
 * Transitive groups of `same` decisions: if a~b and b~c then a~c. A `different` decision between
 * two members of one group is a conflict to show, never silently dropped.
 */

export interface PairRef {
  a: string;
  b: string;
}

export interface DecisionGroups {
  /** Group id (the smallest sample id in the group) for each sample in any group. */
  groupOf: Map<string, string>;
  /** Members of each group, sorted. Only groups of two or more samples. */
  groups: Map<string, string[]>;
  /** `different` pairs whose samples are in one group. */
  conflicts: PairRef[];
}

class UnionFind {
  private readonly parent = new Map<string, string>();

  find(x: string): string {
    let root = x;
    for (;;) {
      const up = this.parent.get(root);
      if (up === undefined || up === root) break;
      root = up;
    }
    // Path compression keeps later lookups near constant time.
    let node = x;
    while (node !== root) {
      const up = this.parent.get(node) ?? root;
      this.parent.set(node, root);
      node = up;
    }
    if (!this.parent.has(root)) this.parent.set(root, root);
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // The smaller id becomes the root, so group ids do not depend on decision order.
    if (ra < rb) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }

  members(): string[] {
    return [...this.parent.keys()];
  }
}

export function buildDecisionGroups(same: PairRef[], different: PairRef[] = []): DecisionGroups {
  const unionFind = new UnionFind();
  for (const pair of same) unionFind.union(pair.a, pair.b);

  const groups = new Map<string, string[]>();
  const groupOf = new Map<string, string>();
  for (const sample of unionFind.members()) {
    const root = unionFind.find(sample);
    groupOf.set(sample, root);
    const list = groups.get(root) ?? [];
    list.push(sample);
    groups.set(root, list);
  }
  for (const list of groups.values()) list.sort();

  const conflicts = different.filter((pair) => {
    const ga = groupOf.get(pair.a);
    return ga !== undefined && ga === groupOf.get(pair.b);
  });
  return { groupOf, groups, conflicts };
}

/** True when the two samples are in one group of `same` decisions. */
export function inSameGroup(groups: DecisionGroups, a: string, b: string): boolean {
  const ga = groups.groupOf.get(a);
  return ga !== undefined && ga === groups.groupOf.get(b);
}
