/**
 * Batches for CPC: S windows of T consecutive samples, each window from its own sequence while
 * there are enough sequences, with the anchors (context time, offset) and their sampled negatives.
 *
 * Samples of a sequence are ordered by timestamp. Negatives are drawn with sampleCpcNegatives, so
 * the target's neighbours within the neutral window are never negatives. A drawn negative is also
 * dropped when its sample is in the target's group of reviewers' `same` decisions.
 */
import { ApronError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { ImageStack } from '../../dataset/images.js';
import type { Sample } from '../../dataset/manifest.js';
import type { PairRef } from '../../mask/groups.js';
import { applyTransform, drawTransform, type Augmentation } from '../augment.js';
import { indexDecisionGroups, type DecisionUsage, type HardNegativeUsage, type SamplerState } from '../batches.js';
import { cpcAnchors, sampleCpcNegatives, type CpcAnchor } from '../objectives/cpc.js';
import type { StepSampler } from './step.js';

export interface CpcWindowOptions {
  samples: readonly Sample[];
  stack: ImageStack;
  /** Consecutive samples T per window. */
  sequenceLength: number;
  /** Windows S per batch; fewer when fewer sequences are long enough. */
  sequencesPerBatch: number;
  /** Largest prediction offset k. */
  predictSteps: number;
  neutralWindow: number;
  negativesPerAnchor: number;
  samePairs: readonly PairRef[];
  augmentation: Augmentation;
  rng: Rng;
}

export interface CpcBatch {
  /** Windows S in this batch. */
  sequences: number;
  /** Samples T per window. */
  steps: number;
  /** Sample index (manifest order) of window s, step t at s * T + t. */
  sampleIndices: Int32Array;
  /** S x T augmented images, row-major, pixel values 0..255, in sampleIndices order. */
  pixels: Float32Array;
  anchors: CpcAnchor[];
  /** Negatives per anchor, as flat indices s * T + t. */
  negatives: number[][];
}

export class CpcWindowSampler implements StepSampler<CpcBatch> {
  readonly anchorCount: number;
  readonly decisions: DecisionUsage;
  readonly hardNegatives: HardNegativeUsage = { pairsUsed: 0, pairsIgnored: 0 };
  /** Time-ordered sample indices of each sequence with at least T samples. */
  private readonly sequences: number[][];
  private readonly groupOf: Int32Array;
  private samplesDrawn = 0;

  constructor(private readonly options: CpcWindowOptions) {
    const { samples, stack, sequenceLength } = options;
    if (stack.count !== samples.length) {
      throw new Error(`The image stack has ${stack.count} images but the dataset has ${samples.length} samples`);
    }
    const bySequence = new Map<string, number[]>();
    samples.forEach((sample, index) => {
      const list = bySequence.get(sample.sequenceId) ?? [];
      list.push(index);
      bySequence.set(sample.sequenceId, list);
    });
    const time = (index: number): bigint => BigInt(samples[index]?.timestampNs ?? 0);
    this.sequences = [...bySequence.values()]
      .filter((members) => members.length >= sequenceLength)
      .map((members) => members.sort((a, b) => (time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0)));
    if (this.sequences.length === 0) {
      throw new ApronError('invalid-input', `No sequence has ${sequenceLength} samples, the CPC window length`, {
        hint: 'Lower objective.sequenceLength (it must still exceed predictSteps).',
      });
    }
    this.anchorCount = this.sequences.reduce((sum, members) => sum + members.length, 0);
    const decisionIndex = indexDecisionGroups(samples, options.samePairs);
    this.groupOf = decisionIndex.groupOf;
    this.decisions = decisionIndex.usage;
  }

  get epochs(): number {
    return Math.floor(this.samplesDrawn / this.anchorCount);
  }

  /** Saves the random state, and the count of samples drawn so far as `cursor`. */
  save(): SamplerState {
    return { rngState: this.options.rng.getState(), order: [], cursor: this.samplesDrawn, epochs: this.epochs };
  }

  /** Continues the sample count. Construct the sampler with `Rng.fromState(state.rngState)`. */
  restore(state: SamplerState): void {
    this.samplesDrawn = state.cursor;
  }

  next(): CpcBatch {
    const { rng, stack, sequenceLength: steps } = this.options;
    const sequences = Math.min(this.options.sequencesPerBatch, this.sequences.length);
    const chosen = rng.shuffle(this.sequences.map((_, index) => index)).slice(0, sequences);
    const sampleIndices = new Int32Array(sequences * steps);
    chosen.forEach((sequence, window) => {
      const members = this.sequences[sequence] ?? [];
      const start = rng.int(members.length - steps + 1);
      for (let t = 0; t < steps; t++) sampleIndices[window * steps + t] = members[start + t] ?? 0;
    });

    const pixelsPerImage = stack.width * stack.height;
    const pixels = new Float32Array(sampleIndices.length * pixelsPerImage);
    sampleIndices.forEach((sample, position) => {
      const transform = drawTransform(this.options.augmentation, stack.width, stack.height, rng);
      applyTransform(stack.data, sample * pixelsPerImage, stack.width, stack.height, transform, pixels, position * pixelsPerImage);
    });

    const anchors = cpcAnchors(sequences, steps, this.options.predictSteps);
    const drawn = sampleCpcNegatives({
      sequences,
      steps,
      anchors,
      negativesPerAnchor: this.options.negativesPerAnchor,
      neutralWindow: this.options.neutralWindow,
      rng,
    });
    const negatives = drawn.map((row, index) => {
      const anchor = anchors[index]!;
      const target = this.groupOf[sampleIndices[anchor.sequence * steps + anchor.time + anchor.offset] ?? 0] ?? -1;
      return target < 0 ? row : row.filter((candidate) => this.groupOf[sampleIndices[candidate] ?? 0] !== target);
    });
    this.samplesDrawn += sampleIndices.length;
    return { sequences, steps, sampleIndices, pixels, anchors, negatives };
  }
}
