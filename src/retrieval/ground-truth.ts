/**
 * The truth about which database samples match a query: the user's rule, corrected by reviewers.
 *
 * - A pair with a `same` decision is a true match, and `same` decisions are closed transitively
 *   (a~b and b~c make a~c), as in the training mask.
 * - A pair whose decision is `different` is never a true match, even when the rule or the
 *   transitive closure matches it, because a reviewer looked at that pair and the rule only guessed.
 *   The store keeps one counting decision per pair, so a pair is never both.
 */
import { buildDecisionGroups, inSameGroup, type DecisionGroups } from '../mask/groups.js';
import { PairSet, type SamplePair } from '../mine/pairs.js';
import type { GroundTruthRule } from './api-types.js';
import type { RetrievalSample } from './samples.js';

export interface Decisions {
  same: readonly SamplePair[];
  different: readonly SamplePair[];
}

export class GroundTruth {
  private readonly groups: DecisionGroups;
  private readonly different: PairSet;
  private readonly rowOf = new Map<string, number>();
  private readonly rowsByPlace = new Map<string, number[]>();

  constructor(
    private readonly samples: readonly RetrievalSample[],
    private readonly rule: GroundTruthRule,
    decisions: Decisions,
  ) {
    this.groups = buildDecisionGroups([...decisions.same], [...decisions.different]);
    this.different = PairSet.from(decisions.different);
    samples.forEach((sample, row) => {
      this.rowOf.set(sample.sampleId, row);
      if (sample.placeId === undefined) return;
      const rows = this.rowsByPlace.get(sample.placeId) ?? [];
      rows.push(row);
      this.rowsByPlace.set(sample.placeId, rows);
    });
  }

  /** True when the rule alone makes rows `i` and `j` the same place. */
  ruleMatches(i: number, j: number): boolean {
    const a = this.samples[i]!;
    const b = this.samples[j]!;
    if (this.rule.kind === 'place') return a.placeId !== undefined && a.placeId === b.placeId;
    if (a.pose === undefined || b.pose === undefined || a.site !== b.site) return false;
    const dx = a.pose.x - b.pose.x;
    const dy = a.pose.y - b.pose.y;
    return dx * dx + dy * dy <= this.rule.radiusMetres * this.rule.radiusMetres;
  }

  /** True when both rows carry what the rule reads: a place id, or a pose. */
  ruleApplies(i: number, j: number): boolean {
    const a = this.samples[i]!;
    const b = this.samples[j]!;
    if (this.rule.kind === 'place') return a.placeId !== undefined && b.placeId !== undefined;
    return a.pose !== undefined && b.pose !== undefined;
  }

  isTrueMatch(i: number, j: number): boolean {
    if (i === j) return false;
    const a = this.samples[i]!.sampleId;
    const b = this.samples[j]!.sampleId;
    if (this.different.has(a, b)) return false;
    return inSameGroup(this.groups, a, b) || this.ruleMatches(i, j);
  }

  /** Returns every row that is a true match of row `i`, in ascending row order. */
  trueMatchesOf(i: number): number[] {
    const rows = new Set<number>();
    const sample = this.samples[i]!;
    if (this.rule.kind === 'place') {
      if (sample.placeId !== undefined) for (const row of this.rowsByPlace.get(sample.placeId) ?? []) rows.add(row);
    } else if (sample.pose !== undefined) {
      // A scan of every row: about 50 million cheap checks for 7,000 samples, far below the cost of the dot products.
      for (let j = 0; j < this.samples.length; j++) if (this.ruleMatches(i, j)) rows.add(j);
    }
    const group = this.groups.groupOf.get(sample.sampleId);
    if (group !== undefined) {
      for (const member of this.groups.groups.get(group) ?? []) {
        const row = this.rowOf.get(member);
        if (row !== undefined) rows.add(row);
      }
    }
    return [...rows].filter((j) => this.isTrueMatch(i, j)).sort((x, y) => x - y);
  }
}
