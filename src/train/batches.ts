/**
 * Training batches for contrastive learning: B anchor samples, each with one positive view, and the
 * mask of which view pairs may serve as negatives.
 *
 * A batch has 2B views: views 0..B-1 are the anchors, view B + i is the positive of view i, and
 * every view is an anchor of the loss (its partner is its positive). Positives are either
 * - temporal: another sample of the same sequence at most `windowSeconds` away (never the sample
 *   itself), both views augmented independently; or
 * - augment: two augmented views of one sample.
 *
 * View k is a valid negative for view i unless one of these is true:
 * - k is i or its partner, or k shows the sample of i or of i's partner;
 * - a mask rule matches the two samples;
 * - both samples are in one group of reviewers' `same` decisions (closed transitively);
 * - with temporal positives, k's sample could have been drawn as i's positive (same sequence,
 *   within the window).
 *
 * Hard negatives: with `differentPairs`, each batch starts with up to `hardNegativesPerBatch`
 * reviewer-decided `different` pairs as anchors (both samples, so the pair is a negative), drawn in
 * a shuffled order that repeats once every pair was used. Such a pair can still be masked by the
 * rules above, and then it is not counted as used.
 */
import { ApronError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { ImageStack } from '../dataset/images.js';
import type { Sample } from '../dataset/manifest.js';
import { buildDecisionGroups, type PairRef } from '../mask/groups.js';
import { matchingRule, toRuleSubject, type MaskRules, type RuleSubject } from '../mask/rules.js';
import { applyTransform, drawTransform, type Augmentation } from './augment.js';

export type PositiveConfig = { kind: 'temporal'; windowSeconds: number } | { kind: 'augment' } | { kind: 'place' };

export interface BatchSamplerOptions {
  samples: readonly Sample[];
  stack: ImageStack;
  batchSize: number;
  positives: PositiveConfig;
  maskRules: MaskRules;
  /** Reviewers' `same` decisions as pairs of sample ids. Pairs naming unknown samples are ignored. */
  samePairs: readonly PairRef[];
  augmentation: Augmentation;
  rng: Rng;
  /** Reviewers' `different` pairs as sample ids. Pairs naming unknown or non-anchor samples are ignored. */
  differentPairs?: readonly PairRef[];
  /** Decided `different` pairs placed in each batch. Default 0. */
  hardNegativesPerBatch?: number;
  /** Weight of a decided pair in the loss's denominator. Default 1 (no weights in the batch). */
  hardNegativeWeight?: number;
}

export interface Batch {
  /** Number of anchors B. The batch has 2B views. */
  size: number;
  /** Sample index (manifest order) of each view. */
  viewSamples: Int32Array;
  /** Index of each view's positive view. */
  positives: Int32Array;
  /** Row-major 2B x 2B, 1 where view k may be a negative for view i. */
  validNegatives: Uint8Array;
  /** 2B augmented images, row-major, pixel values 0..255. */
  pixels: Float32Array;
  /** View pairs masked by a metadata rule, counting only pairs not already masked for sharing a sample or the window. */
  maskedByRules: number;
  /** View pairs masked by a `same` decision group and by nothing before it. */
  maskedByDecisions: number;
  /** View pairs (i != k, k not i's partner), the denominator of the two counts above. */
  candidatePairs: number;
  /** Decided `different` pairs whose two samples are anchors of the batch and a valid negative of each other. */
  hardNegativePairs: number;
  /**
   * Row-major 2B x 2B negative weights: the configured weight for views of a decided pair, 1
   * elsewhere. Absent when the weight is 1 or the batch has no decided pair.
   */
  negativeWeights?: Float32Array;
}

export interface HardNegativeUsage {
  /** `different` pairs that can be placed in batches. */
  pairsUsed: number;
  /** `different` pairs ignored: a sample is not in the dataset or cannot be drawn as an anchor. */
  pairsIgnored: number;
}

export interface DecisionUsage {
  /** `same` pairs whose two samples are both in the dataset. */
  pairsUsed: number;
  /** `same` pairs ignored because a sample id is not in the dataset. */
  pairsIgnored: number;
  /** Groups of two or more dataset samples formed by the pairs used. */
  groups: number;
}

/** The sampler's position, saved in checkpoints so that a resumed run draws the same batches. */
export interface SamplerState {
  rngState: number;
  order: number[];
  cursor: number;
  epochs: number;
  /** Order of the `different` pairs (indices into the usable pairs) and the next position in it. */
  hardNegativeOrder?: number[];
  hardNegativeCursor?: number;
}

export class BatchSampler {
  readonly decisions: DecisionUsage;
  /** Samples that can be drawn as anchors (with temporal positives: those with a neighbour in the window). */
  readonly anchorCount: number;
  readonly hardNegatives: HardNegativeUsage;

  private readonly subjects: RuleSubject[];
  private readonly groupOf: Int32Array;
  private readonly neighbours: Int32Array[];
  private readonly anchors: number[];
  private order: number[] = [];
  private cursor = 0;
  private epochCount = 0;
  private readonly differentPairs: Array<[number, number]>;
  /** Keys a * count + b, in both orders, of the usable `different` pairs. */
  private readonly differentKeys: Set<number>;
  private hardNegativeOrder: number[] = [];
  private hardNegativeCursor = 0;

  constructor(private readonly options: BatchSamplerOptions) {
    const { samples, stack, batchSize } = options;
    if (stack.count !== samples.length) {
      throw new Error(`The image stack has ${stack.count} images but the dataset has ${samples.length} samples`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 2) {
      throw new ApronError('invalid-input', `Batch size must be an integer of at least 2, got ${batchSize}`);
    }

    this.subjects = samples.map(toRuleSubject);
    const decisionIndex = indexDecisionGroups(samples, options.samePairs);
    this.groupOf = decisionIndex.groupOf;
    this.decisions = decisionIndex.usage;

    if (options.positives.kind === 'temporal') this.neighbours = temporalNeighbours(this.subjects, options.positives.windowSeconds);
    else if (options.positives.kind === 'place') this.neighbours = placeNeighbours(samples);
    else this.neighbours = [];
    this.anchors = [];
    for (let index = 0; index < samples.length; index++) {
      if (options.positives.kind === 'augment' || (this.neighbours[index]?.length ?? 0) > 0) this.anchors.push(index);
    }
    this.anchorCount = this.anchors.length;
    if (this.anchorCount < 2) {
      const why =
        options.positives.kind === 'temporal'
          ? ` with a temporal positive within ${options.positives.windowSeconds} s`
          : options.positives.kind === 'place'
            ? ' whose placeId also occurs in another sequence'
            : '';
      // Where the samples carry place ids, place positives are the likely intent.
      const placed = options.positives.kind !== 'place' && samples.some((sample) => sample.placeId !== undefined);
      throw new ApronError('invalid-input', `Only ${this.anchorCount} sample(s)${why}, but training needs at least 2`, {
        hint: placed
          ? 'The samples carry place ids: train with place positives (`--positives place`, { "kind": "place" }), raise positives.windowSeconds, or train with augment positives ({ "kind": "augment" }).'
          : 'Raise positives.windowSeconds, give samples of one place the same placeId, or train with augment positives ({ "kind": "augment" }).',
      });
    }

    const hard = usableDifferentPairs(samples, new Set(this.anchors), options.differentPairs ?? []);
    this.differentPairs = hard.pairs;
    this.hardNegatives = hard.usage;
    this.differentKeys = new Set();
    for (const [a, b] of hard.pairs) {
      this.differentKeys.add(a * samples.length + b);
      this.differentKeys.add(b * samples.length + a);
    }
  }

  /** Returns the decision group of a sample (by manifest index), or -1 when it is in none. */
  decisionGroupOf(sample: number): number {
    return this.groupOf[sample] ?? -1;
  }

  /** Tells whether reviewers decided two samples (by manifest index) `different`, or put them in the hard-negative set. */
  isDecidedDifferent(a: number, b: number): boolean {
    return this.differentKeys.has(a * this.options.samples.length + b);
  }

  /** Completed passes over the anchors. */
  get epochs(): number {
    return this.epochCount;
  }

  save(): SamplerState {
    const state: SamplerState = { rngState: this.options.rng.getState(), order: [...this.order], cursor: this.cursor, epochs: this.epochCount };
    if (this.differentPairs.length > 0) {
      state.hardNegativeOrder = [...this.hardNegativeOrder];
      state.hardNegativeCursor = this.hardNegativeCursor;
    }
    return state;
  }

  /**
   * Continues from a saved anchor order. The random state is not restored here: construct the
   * sampler with `Rng.fromState(state.rngState)`. The dataset and configuration must be the ones
   * the state was saved with.
   */
  restore(state: SamplerState): void {
    const anchors = new Set(this.anchors);
    if (state.order.some((index) => !anchors.has(index)) || state.cursor > state.order.length) {
      throw new ApronError('invalid-input', 'The checkpoint\'s batch order does not match this dataset and configuration', {
        hint: 'Resume with the dataset the run was trained on, or start a new run.',
      });
    }
    const hardOrder = state.hardNegativeOrder ?? [];
    const hardCursor = state.hardNegativeCursor ?? 0;
    if (hardOrder.some((index) => index >= this.differentPairs.length) || hardCursor > hardOrder.length) {
      throw new ApronError('invalid-input', 'The checkpoint\'s order of hard-negative pairs does not match the `different` pairs given', {
        hint: 'Resume with the decisions the run was trained with, or start a new run.',
      });
    }
    this.order = [...state.order];
    this.cursor = state.cursor;
    this.epochCount = state.epochs;
    this.hardNegativeOrder = [...hardOrder];
    this.hardNegativeCursor = hardCursor;
  }

  /** Draws the next batch: anchors in a fresh shuffled order each epoch, positives and views at random. */
  next(): Batch {
    const { rng, stack } = this.options;
    const size = Math.min(this.options.batchSize, this.anchorCount);
    const views = 2 * size;
    const viewSamples = new Int32Array(views);
    const hardAnchors = this.drawHardNegativeAnchors(size);
    for (let i = 0; i < size; i++) {
      const anchor = hardAnchors[i] ?? this.nextAnchor();
      viewSamples[i] = anchor;
      viewSamples[size + i] = this.drawPositive(anchor);
    }

    const positives = new Int32Array(views);
    for (let i = 0; i < views; i++) positives[i] = i < size ? i + size : i - size;

    const pixelsPerImage = stack.width * stack.height;
    const pixels = new Float32Array(views * pixelsPerImage);
    for (let view = 0; view < views; view++) {
      const transform = drawTransform(this.options.augmentation, stack.width, stack.height, rng);
      const sample = viewSamples[view] ?? 0;
      applyTransform(stack.data, sample * pixelsPerImage, stack.width, stack.height, transform, pixels, view * pixelsPerImage);
    }

    const mask = this.negativeMask(viewSamples, positives);
    return { size, viewSamples, positives, pixels, ...mask, ...this.hardNegativeTerms(viewSamples, mask.validNegatives) };
  }

  /** Draws the anchors of this batch's decided pairs, two per pair, from the repeating shuffled pair order. */
  private drawHardNegativeAnchors(size: number): number[] {
    const perBatch = this.options.hardNegativesPerBatch ?? 0;
    const anchors: number[] = [];
    if (this.differentPairs.length === 0) return anchors;
    for (let placed = 0; placed < perBatch && anchors.length + 2 <= size; placed++) {
      if (this.hardNegativeCursor >= this.hardNegativeOrder.length) {
        this.hardNegativeOrder = this.options.rng.shuffle(this.differentPairs.map((_, index) => index));
        this.hardNegativeCursor = 0;
      }
      const pair = this.differentPairs[this.hardNegativeOrder[this.hardNegativeCursor++] ?? 0];
      if (pair !== undefined) anchors.push(pair[0], pair[1]);
    }
    return anchors;
  }

  /** Counts the decided pairs among the anchors that are valid negatives, and weights their views. */
  private hardNegativeTerms(viewSamples: Int32Array, validNegatives: Uint8Array): Pick<Batch, 'hardNegativePairs' | 'negativeWeights'> {
    if (this.differentKeys.size === 0) return { hardNegativePairs: 0 };
    const count = this.options.samples.length;
    const views = viewSamples.length;
    const size = views / 2;
    const counted = new Set<number>();
    for (let i = 0; i < size; i++) {
      for (let k = i + 1; k < size; k++) {
        const a = viewSamples[i] ?? 0;
        const b = viewSamples[k] ?? 0;
        if (this.differentKeys.has(a * count + b) && validNegatives[i * views + k] === 1) counted.add(Math.min(a, b) * count + Math.max(a, b));
      }
    }

    const weight = this.options.hardNegativeWeight ?? 1;
    if (weight === 1 || counted.size === 0) return { hardNegativePairs: counted.size };
    const negativeWeights = new Float32Array(views * views).fill(1);
    for (let i = 0; i < views; i++) {
      for (let k = 0; k < views; k++) {
        const key = (viewSamples[i] ?? 0) * count + (viewSamples[k] ?? 0);
        if (validNegatives[i * views + k] === 1 && this.differentKeys.has(key)) negativeWeights[i * views + k] = weight;
      }
    }
    return { hardNegativePairs: counted.size, negativeWeights };
  }

  private nextAnchor(): number {
    if (this.cursor >= this.order.length) {
      if (this.order.length > 0) this.epochCount++;
      this.order = this.options.rng.shuffle([...this.anchors]);
      this.cursor = 0;
    }
    return this.order[this.cursor++] ?? 0;
  }

  private drawPositive(anchor: number): number {
    if (this.options.positives.kind === 'augment') return anchor;
    const candidates = this.neighbours[anchor] ?? new Int32Array(0);
    return candidates[this.options.rng.int(candidates.length)] ?? anchor;
  }

  private negativeMask(viewSamples: Int32Array, positives: Int32Array) {
    const views = viewSamples.length;
    const validNegatives = new Uint8Array(views * views);
    let maskedByRules = 0;
    let maskedByDecisions = 0;
    let candidatePairs = 0;
    const windowSeconds = this.options.positives.kind === 'temporal' ? this.options.positives.windowSeconds : -1;

    for (let i = 0; i < views; i++) {
      const sample = viewSamples[i] ?? 0;
      const partner = positives[i] ?? 0;
      const partnerSample = viewSamples[partner] ?? 0;
      for (let k = 0; k < views; k++) {
        if (k === i || k === partner) continue;
        candidatePairs++;
        const other = viewSamples[k] ?? 0;
        if (other === sample || other === partnerSample) continue;
        if (windowSeconds >= 0 && this.withinWindow(sample, other, windowSeconds)) continue;
        // With place positives every pair of one place is a positive, so none is a negative.
        if (this.options.positives.kind === 'place' && this.samePlace(sample, other)) continue;
        if (matchingRule(this.subjects[sample]!, this.subjects[other]!, this.options.maskRules) !== undefined) {
          maskedByRules++;
          continue;
        }
        const group = this.groupOf[sample] ?? -1;
        if (group >= 0 && group === this.groupOf[other]) {
          maskedByDecisions++;
          continue;
        }
        validNegatives[i * views + k] = 1;
      }
    }
    return { validNegatives, maskedByRules, maskedByDecisions, candidatePairs };
  }

  private samePlace(a: number, b: number): boolean {
    const placeId = this.options.samples[a]?.placeId;
    return placeId !== undefined && placeId === this.options.samples[b]?.placeId;
  }

  private withinWindow(a: number, b: number, windowSeconds: number): boolean {
    const first = this.subjects[a]!;
    const second = this.subjects[b]!;
    return first.sequenceId === second.sequenceId && Math.abs(first.timeSeconds - second.timeSeconds) <= windowSeconds;
  }
}

/** For each sample, the samples of the same `placeId` in other sequences. */
function placeNeighbours(samples: readonly Sample[]): Int32Array[] {
  const byPlace = new Map<string, number[]>();
  samples.forEach((sample, index) => {
    if (sample.placeId === undefined) return;
    const list = byPlace.get(sample.placeId) ?? [];
    list.push(index);
    byPlace.set(sample.placeId, list);
  });
  return samples.map((sample) => {
    const members = sample.placeId === undefined ? [] : (byPlace.get(sample.placeId) ?? []);
    return Int32Array.from(members.filter((index) => samples[index]?.sequenceId !== sample.sequenceId));
  });
}

/** For each sample, the other samples of its sequence at most `windowSeconds` away. */
function temporalNeighbours(subjects: RuleSubject[], windowSeconds: number): Int32Array[] {
  const bySequence = new Map<string, number[]>();
  subjects.forEach((subject, index) => {
    const list = bySequence.get(subject.sequenceId) ?? [];
    list.push(index);
    bySequence.set(subject.sequenceId, list);
  });

  const neighbours: Int32Array[] = new Array<Int32Array>(subjects.length);
  for (const members of bySequence.values()) {
    members.sort((a, b) => subjects[a]!.timeSeconds - subjects[b]!.timeSeconds);
    // Two pointers over the time-sorted sequence give each sample's window in linear time.
    let low = 0;
    let high = 0;
    for (let position = 0; position < members.length; position++) {
      const time = subjects[members[position]!]!.timeSeconds;
      while (subjects[members[low]!]!.timeSeconds < time - windowSeconds) low++;
      while (high + 1 < members.length && subjects[members[high + 1]!]!.timeSeconds <= time + windowSeconds) high++;
      const list: number[] = [];
      for (let other = low; other <= high; other++) if (other !== position) list.push(members[other]!);
      neighbours[members[position]!] = Int32Array.from(list);
    }
  }
  return neighbours;
}

/** Resolves `different` pairs to sample indices, keeping pairs whose two distinct samples can be drawn as anchors. */
function usableDifferentPairs(
  samples: readonly Sample[],
  anchors: ReadonlySet<number>,
  differentPairs: readonly PairRef[],
): { pairs: Array<[number, number]>; usage: HardNegativeUsage } {
  const indexOf = new Map(samples.map((sample, index) => [sample.sampleId, index]));
  const seen = new Set<string>();
  const pairs: Array<[number, number]> = [];
  for (const pair of differentPairs) {
    const a = indexOf.get(pair.a);
    const b = indexOf.get(pair.b);
    if (a === undefined || b === undefined || a === b || !anchors.has(a) || !anchors.has(b)) continue;
    // The store and the hard-negative set can list one pair twice, in either order.
    const key = a < b ? `${a}:${b}` : `${b}:${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push([a, b]);
  }
  return { pairs, usage: { pairsUsed: pairs.length, pairsIgnored: differentPairs.length - pairs.length } };
}

/** Numbers the decision groups by sample index (-1 outside any group) and counts what was used. */
export function indexDecisionGroups(samples: readonly Sample[], samePairs: readonly PairRef[]): { groupOf: Int32Array; usage: DecisionUsage } {
  const known = new Set(samples.map((sample) => sample.sampleId));
  const usable = samePairs.filter((pair) => known.has(pair.a) && known.has(pair.b) && pair.a !== pair.b);
  const groups = buildDecisionGroups(usable);

  const groupIds = new Map<string, number>();
  for (const root of groups.groups.keys()) groupIds.set(root, groupIds.size);
  const groupOf = new Int32Array(samples.length).fill(-1);
  samples.forEach((sample, index) => {
    const root = groups.groupOf.get(sample.sampleId);
    if (root !== undefined) groupOf[index] = groupIds.get(root) ?? -1;
  });

  const selfPairs = samePairs.filter((pair) => pair.a === pair.b && known.has(pair.a)).length;
  return {
    groupOf,
    usage: { pairsUsed: usable.length, pairsIgnored: samePairs.length - usable.length - selfPairs, groups: groups.groups.size },
  };
}
