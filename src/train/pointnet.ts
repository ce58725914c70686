/**
 * A PointNet-style LiDAR encoder (Qi et al., "PointNet", CVPR 2017, without the input and feature
 * transform networks). Each point's features (x, y, z, intensity) pass a shared per-point MLP,
 * written as matMuls over [B*N, C], each layer followed by optional layer normalisation and ReLU.
 * A max over the N points gives one vector per cloud, and a projection head (dense, ReLU, dense)
 * gives the embedding.
 *
 * The max over points is symmetric, so the embedding does not depend on the order of the points,
 * and repeating a point does not change it either, which is why short clouds are padded by
 * repetition (see `resamplePoints`). Layer normalisation works on each point's channels alone, so
 * it keeps both properties. tf.max has a gradient: it flows to the points that reach the maximum.
 *
 * Parameters are tf.Variables under stable names (`mlp1/kernel`, `norm1/gamma`, `head2/bias`, ...)
 * in `encoder.variables`, as in the image encoder of encoder.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ApronError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { l2Normalize } from './encoder.js';

/** Features per point: x, y, z in metres and intensity scaled to 0..1. */
export const POINT_FEATURES = 4;

export const pointNetConfigSchema = z.object({
  /** Points per cloud (N). Every cloud is subsampled or padded to exactly this many. */
  pointCount: z.number().int().min(16).max(16384).default(1024),
  /** Output widths of the shared per-point MLP layers. */
  widths: z.array(z.number().int().positive().max(1024)).min(1).max(6).default([64, 128, 256]),
  /** Normalisation after each per-point layer: `layer` normalises each point's channels, `none` skips it. */
  norm: z.enum(['none', 'layer']).default('layer'),
  /** Width of the projection head's hidden layer. */
  hiddenDim: z.number().int().positive().max(4096).default(256),
  /** Dimension of the embedding (the projection head's output). */
  embeddingDim: z.number().int().positive().max(4096).default(128),
  /**
   * Coordinates are divided by this many metres before the first layer, so that a point at this
   * range has coordinates of about 1, the scale of the intensity feature.
   */
  coordinateScaleMetres: z.number().positive().max(1000).default(50),
  /**
   * Largest number of floats in one per-point activation (samples x pointCount x widest layer).
   * Larger batches run the per-point MLP in chunks of samples, so no forward buffer exceeds this size. The default, 8M floats, is 32 MiB.
   */
  maxActivationFloats: z.number().int().min(1024).default(8 * 1024 * 1024),
});

export type PointNetConfig = z.infer<typeof pointNetConfigSchema>;
export type PointNetConfigInput = z.input<typeof pointNetConfigSchema>;

/** Added to variances so that a cloud of identical points stays finite. */
const EPSILON = 1e-5;

export interface PointNetParameterSpec {
  name: string;
  shape: number[];
  init: 'he-normal' | 'zeros' | 'ones';
  fanIn: number;
}

/** Lists the encoder's parameters for a configuration, in a fixed order. */
export function pointNetParameterSpecs(input: PointNetConfigInput): PointNetParameterSpec[] {
  const config = pointNetConfigSchema.parse(input);
  const specs: PointNetParameterSpec[] = [];
  const dense = (name: string, fanIn: number, units: number): void => {
    specs.push({ name: `${name}/kernel`, shape: [fanIn, units], init: 'he-normal', fanIn });
    specs.push({ name: `${name}/bias`, shape: [units], init: 'zeros', fanIn: 0 });
  };

  let inChannels = POINT_FEATURES;
  config.widths.forEach((width, index) => {
    const layer = index + 1;
    dense(`mlp${layer}`, inChannels, width);
    if (config.norm === 'layer') {
      specs.push({ name: `norm${layer}/gamma`, shape: [width], init: 'ones', fanIn: 0 });
      specs.push({ name: `norm${layer}/beta`, shape: [width], init: 'zeros', fanIn: 0 });
    }
    inChannels = width;
  });
  dense('head1', inChannels, config.hiddenDim);
  dense('head2', config.hiddenDim, config.embeddingDim);
  return specs;
}

/** Draws one parameter's initial values from `rng`: He-normal weights, zero biases, unit scales. */
function initialValues(spec: PointNetParameterSpec, rng: Rng): Float32Array {
  const size = spec.shape.reduce((product, dim) => product * dim, 1);
  const values = new Float32Array(size);
  if (spec.init === 'ones') values.fill(1);
  if (spec.init !== 'he-normal') return values;

  // Box-Muller from the seeded generator, so that a seed gives the same weights on every backend.
  const std = Math.sqrt(2 / spec.fanIn);
  for (let i = 0; i < size; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const angle = 2 * Math.PI * rng.next();
    values[i] = std * radius * Math.cos(angle);
    if (i + 1 < size) values[i + 1] = std * radius * Math.sin(angle);
  }
  return values;
}

let instanceCount = 0;

export class PointNetEncoder {
  readonly config: PointNetConfig;
  /** Parameters by stable name, in creation order. */
  readonly variables: Map<string, tf.Variable>;

  private constructor(config: PointNetConfig, variables: Map<string, tf.Variable>) {
    this.config = config;
    this.variables = variables;
  }

  /** Creates an encoder with weights drawn from `seed`, or with `weights` (by parameter name) when given. */
  static create(input: PointNetConfigInput, options: { seed?: number; weights?: Map<string, Float32Array> } = {}): PointNetEncoder {
    const parsed = pointNetConfigSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('; ');
      throw new ApronError('invalid-input', `Invalid PointNet configuration: ${issues}`, { hint: 'Fix the listed fields; every field has a default.' });
    }
    const config = parsed.data;

    const rng = new Rng(options.seed ?? 0);
    // TensorFlow.js registers variable names globally; a per-instance prefix lets encoders coexist.
    const prefix = `pointnet${++instanceCount}`;
    const variables = new Map<string, tf.Variable>();
    for (const spec of pointNetParameterSpecs(config)) {
      const loadedValues = options.weights?.get(spec.name);
      const size = spec.shape.reduce((product, dim) => product * dim, 1);
      if (loadedValues !== undefined && loadedValues.length !== size) {
        throw new ApronError('invalid-input', `PointNet weight ${spec.name} has ${loadedValues.length} values, expected ${size} (${spec.shape.join('x')})`, {
          hint: 'Load weights saved with the same PointNet configuration.',
        });
      }
      const initial = tf.tensor(loadedValues ?? initialValues(spec, rng), spec.shape, 'float32');
      variables.set(spec.name, tf.variable(initial, true, `${prefix}/${spec.name}`));
      initial.dispose();
    }
    return new PointNetEncoder(config, variables);
  }

  get parameterCount(): number {
    let count = 0;
    for (const variable of this.variables.values()) count += variable.size;
    return count;
  }

  private parameter(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (variable === undefined) throw new Error(`PointNet has no parameter ${name}`);
    return variable;
  }

  /** Embeds clouds [B, N, 4] into [B, embeddingDim] unit vectors. Call it inside tf.tidy or a gradient function. */
  embed(points: tf.Tensor3D): tf.Tensor2D {
    return l2Normalize(this.embedUnnormalized(points));
  }

  /** Embeds like `embed` but returns the projection head's output before the scaling to unit length. */
  embedUnnormalized(points: tf.Tensor3D): tf.Tensor2D {
    const [batch, count, features] = points.shape;
    if (count !== this.config.pointCount || features !== POINT_FEATURES) {
      throw new Error(`PointNet expects clouds of ${this.config.pointCount} points with ${POINT_FEATURES} features, got ${count} with ${features}`);
    }

    const samplesPerChunk = this.samplesPerChunk();
    let pooled: tf.Tensor2D;
    if (batch <= samplesPerChunk) {
      pooled = this.pointFeatures(points);
    } else {
      const chunks: tf.Tensor2D[] = [];
      for (let start = 0; start < batch; start += samplesPerChunk) {
        const size = Math.min(samplesPerChunk, batch - start);
        chunks.push(this.pointFeatures(tf.slice(points, [start, 0, 0], [size, count, features])));
      }
      pooled = tf.concat(chunks, 0);
    }

    const hidden = tf.relu(this.dense(pooled, 'head1'));
    return this.dense(hidden, 'head2');
  }

  samplesPerChunk(): number {
    return samplesPerChunk(this.config);
  }

  /** Runs the shared MLP on every point of [b, N, 4] and max-pools over the points into [b, widest]. */
  private pointFeatures(points: tf.Tensor3D): tf.Tensor2D {
    const [batch, count, features] = points.shape;
    const coordinateScale = 1 / this.config.coordinateScaleMetres;
    const scale = tf.tensor1d([coordinateScale, coordinateScale, coordinateScale, 1]);
    let x: tf.Tensor2D = tf.mul(tf.reshape(points, [batch * count, features]), scale);

    this.config.widths.forEach((_, index) => {
      const layer = index + 1;
      x = this.dense(x, `mlp${layer}`);
      if (this.config.norm === 'layer') x = this.layerNorm(x, layer);
      x = tf.relu(x);
    });

    const width = x.shape[1];
    return tf.max(tf.reshape(x, [batch, count, width]), 1);
  }

  private dense(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.parameter(`${name}/kernel`) as tf.Tensor2D), this.parameter(`${name}/bias`));
  }

  /** Normalises each point's channels to zero mean and unit variance, then scales and shifts per channel. */
  private layerNorm(x: tf.Tensor2D, layer: number): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, 1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPSILON)));
    return tf.add(tf.mul(normalised, this.parameter(`norm${layer}/gamma`)), this.parameter(`norm${layer}/beta`));
  }

  /** Copies the current weights out of the backend, by parameter name. */
  async readWeights(): Promise<Map<string, Float32Array>> {
    const weights = new Map<string, Float32Array>();
    for (const [name, variable] of this.variables) weights.set(name, (await variable.data()) as Float32Array);
    return weights;
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
  }
}

/**
 * Returns how many samples the per-point MLP takes at once under `maxActivationFloats`.
 * NOTE: the bound holds for the forward pass. A gradient step still keeps every chunk's
 * activations until the backward pass, so training memory grows with the whole batch.
 */
export function samplesPerChunk(config: PointNetConfig): number {
  const widest = Math.max(POINT_FEATURES, ...config.widths);
  return Math.max(1, Math.floor(config.maxActivationFloats / (config.pointCount * widest)));
}

/**
 * Returns exactly `pointCount` points (row-major, 4 floats each) drawn from a cloud of
 * `points.length / 4` points. A larger cloud is subsampled without replacement, uniformly at
 * random from `rng`. A smaller cloud keeps every point and is padded with copies of randomly
 * chosen points of its own, which leaves the max-pooled features unchanged. An empty cloud gives
 * zeros.
 */
export function resamplePoints(points: Float32Array, pointCount: number, rng: Rng): Float32Array {
  const available = Math.floor(points.length / POINT_FEATURES);
  const output = new Float32Array(pointCount * POINT_FEATURES);
  if (available === 0) return output;

  const chosen = new Uint32Array(pointCount);
  if (available >= pointCount) {
    // A partial Fisher-Yates shuffle draws pointCount distinct indices in O(available) memory.
    const order = Uint32Array.from({ length: available }, (_, i) => i);
    for (let i = 0; i < pointCount; i++) {
      const j = i + rng.int(available - i);
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
      chosen[i] = order[i]!;
    }
  } else {
    for (let i = 0; i < pointCount; i++) chosen[i] = i < available ? i : rng.int(available);
  }

  for (let i = 0; i < pointCount; i++) {
    output.set(points.subarray(chosen[i]! * POINT_FEATURES, (chosen[i]! + 1) * POINT_FEATURES), i * POINT_FEATURES);
  }
  return output;
}
