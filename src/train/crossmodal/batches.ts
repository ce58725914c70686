/**
 * Batches of augmented cross-modal pairs: camera frames with LiDAR points or BEV rasters. Pairs are drawn in a shuffled order, one pass after
 * another. When the batch is larger than the dataset, a pair appears more than once in a batch, and
 * those copies are masked: neither is used as the other's negative, since they show the same scene.
 */
import { Rng } from '../../core/rng.js';
import type { BevPolicy, CameraPolicy, LidarPolicy } from '../objectives/augment-policy.js';
import { POINT_FEATURES } from '../pointnet.js';
import { augmentBev, augmentCamera, augmentLidar } from './augment.js';
import type { CrossModalPair } from './pairs.js';

export interface CrossModalBatch {
  size: number;
  /** Index into the run's pairs of each row. */
  pairIndices: Int32Array;
  /** [size, height, width, 1] grey values 0..255. */
  images: Float32Array;
  /** The partner modality's rows: [size, pointCount, 4] points, or [size, height, width, 1] BEV values 0..255. */
  partner: Float32Array;
  /** Row-major size x size, 1 where row j may be a negative for row i. */
  validNegatives: Uint8Array;
}

/** The sampler state a checkpoint stores, so that a resumed run draws the same batches. */
export interface CrossModalSamplerState {
  rngState: number;
  order: number[];
  cursor: number;
  epochs: number;
}

/** The partner modality's view settings: points per cloud or raster size, and the augmentation policy. */
export type PartnerViews =
  | { modality: 'lidar'; pointCount: number; policy: LidarPolicy }
  | { modality: 'bev'; size: { width: number; height: number }; policy: BevPolicy };

export interface CrossModalSamplerOptions {
  /** Pairs of one partner modality, the one `partner` describes. */
  pairs: readonly CrossModalPair[];
  batchSize: number;
  imageSize: { width: number; height: number };
  camera: CameraPolicy;
  partner: PartnerViews;
  seed: number;
}

export class CrossModalSampler {
  private readonly options: CrossModalSamplerOptions;
  private rng: Rng;
  private order: number[];
  private cursor = 0;
  /** Completed passes over the pairs. */
  epochs = 0;

  constructor(options: CrossModalSamplerOptions) {
    const mismatch = options.pairs.find((pair) => pair.partner !== options.partner.modality);
    if (mismatch !== undefined) throw new Error(`Pair ${mismatch.pairId} pairs the camera with ${mismatch.partner}, but the sampler makes ${options.partner.modality} views`);
    this.options = options;
    this.rng = new Rng(options.seed);
    this.order = this.rng.shuffle(options.pairs.map((_, index) => index));
  }

  next(): CrossModalBatch {
    const { pairs, batchSize, imageSize, partner: views } = this.options;
    const pixels = imageSize.width * imageSize.height;
    const partnerRow = views.modality === 'lidar' ? views.pointCount * POINT_FEATURES : views.size.width * views.size.height;
    const pairIndices = new Int32Array(batchSize);
    const images = new Float32Array(batchSize * pixels);
    const partner = new Float32Array(batchSize * partnerRow);

    for (let row = 0; row < batchSize; row++) {
      const index = this.nextPairIndex();
      const pair = pairs[index]!;
      pairIndices[row] = index;
      augmentCamera(pair.image, this.options.camera, imageSize, this.rng, images, row * pixels);
      if (pair.partner === 'lidar' && views.modality === 'lidar') augmentLidar(pair.points, views.policy, views.pointCount, this.rng, partner, row * partnerRow);
      else if (pair.partner === 'bev' && views.modality === 'bev') augmentBev(pair.raster, views.policy, this.rng, partner, row * partnerRow);
    }
    return { size: batchSize, pairIndices, images, partner, validNegatives: validNegativesOf(pairIndices) };
  }

  private nextPairIndex(): number {
    if (this.cursor >= this.order.length) {
      this.order = this.rng.shuffle(this.order);
      this.cursor = 0;
      this.epochs++;
    }
    return this.order[this.cursor++]!;
  }

  save(): CrossModalSamplerState {
    return { rngState: this.rng.getState(), order: [...this.order], cursor: this.cursor, epochs: this.epochs };
  }

  restore(state: CrossModalSamplerState): void {
    if (state.order.length !== this.options.pairs.length || state.order.some((index) => index >= this.options.pairs.length)) {
      throw new Error(`The saved pair order covers ${state.order.length} pairs, but the dataset has ${this.options.pairs.length}`);
    }
    this.rng = Rng.fromState(state.rngState);
    this.order = [...state.order];
    this.cursor = state.cursor;
    this.epochs = state.epochs;
  }
}

/** Marks every pair of rows with different pairs as valid negatives. */
export function validNegativesOf(pairIndices: Int32Array): Uint8Array {
  const size = pairIndices.length;
  const mask = new Uint8Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) mask[i * size + j] = pairIndices[i] === pairIndices[j] ? 0 : 1;
  }
  return mask;
}
