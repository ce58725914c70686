/**
 * MoCo: a key encoder that follows the query encoder by a moving average, and a
 * FIFO queue of past keys that serve as negatives.
 *
 * A step runs in this order. It embeds the keys with the key encoder outside the gradient, so no
 * gradient reaches the key weights. It computes `mocoLoss` of the queries against the queue and
 * takes the optimizer step on the query weights. Then it calls `MomentumEncoder.update`, and only
 * after the loss does it enqueue the batch's keys, so a batch is never among its own negatives.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../encoder.js';
import type { InfoNceResult } from '../infonce.js';
import { infoNceFromLogits } from './logit-infonce.js';

let keyEncoderCount = 0;

/**
 * Key weights that track query weights: key = m * key + (1 - m) * query after every step. The key
 * variables are created not trainable, so an optimizer that lists trainable variables skips them.
 */
export class MomentumEncoder {
  readonly momentum: number;
  readonly query: ReadonlyMap<string, tf.Variable>;
  /** Key weights, by the same names as the query weights. */
  readonly key: Map<string, tf.Variable>;

  private constructor(query: ReadonlyMap<string, tf.Variable>, key: Map<string, tf.Variable>, momentum: number) {
    this.query = query;
    this.key = key;
    this.momentum = momentum;
  }

  /** Creates key variables equal to the query variables. */
  static create(query: ReadonlyMap<string, tf.Variable>, momentum: number): MomentumEncoder {
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`The momentum must be in [0, 1), got ${momentum}`);
    const prefix = `key-encoder${++keyEncoderCount}`;
    const key = new Map<string, tf.Variable>();
    for (const [name, variable] of query) {
      const copy = variable.clone();
      key.set(name, tf.variable(copy, false, `${prefix}/${name}`));
      copy.dispose();
    }
    return new MomentumEncoder(query, key, momentum);
  }

  /**
   * Sets key = m * key + (1 - m) * query for every weight. Call it after each optimizer step on
   * the query weights.
   */
  update(): void {
    tf.tidy(() => {
      const keep = tf.scalar(this.momentum);
      const take = tf.scalar(1 - this.momentum);
      for (const [name, keyVariable] of this.key) {
        const queryVariable = this.query.get(name);
        if (queryVariable === undefined) throw new Error(`The query encoder has no weight ${name}`);
        keyVariable.assign(tf.add(tf.mul(keyVariable, keep), tf.mul(queryVariable, take)));
      }
    });
  }

  /** Disposes the key variables. The query variables belong to the caller. */
  dispose(): void {
    for (const variable of this.key.values()) variable.dispose();
    this.key.clear();
  }
}

/** Metadata of one queued key, for masking false negatives. */
export interface KeyMetadata {
  sampleId: string;
  sequenceId?: string;
  placeId?: string;
  /** Seconds, on one clock per sequence. */
  timestampSeconds?: number;
  /** Group of reviewers' `same` decisions the sample belongs to. */
  decisionGroupId?: string;
}

export interface QueueMaskRules {
  /** Mask entries from the query's sequence within this many seconds. Absent: no time rule. */
  sameSequenceWithinSeconds?: number;
  /** Mask entries with the query's placeId. */
  samePlace?: boolean;
  /** Mask entries in the query's decision group. */
  sameDecisionGroup?: boolean;
}

/** A queue's full contents, slot by slot, as checkpoints store it. */
export interface KeyQueueSnapshot {
  capacity: number;
  dimension: number;
  /** Row-major capacity x dimension, slot order. */
  keys: Float32Array;
  /** Metadata by slot; null for an empty slot. */
  metadata: Array<KeyMetadata | null>;
  /** Slot of the next write. */
  next: number;
  /** Filled slots. */
  count: number;
}

/**
 * A FIFO queue of K keys of D dimensions with their metadata. Keys live in a Float32Array, in slots
 * that are filled in order 0..K-1, so the filled slots are always 0..size-1. Once the queue is full,
 * each new key overwrites the oldest.
 */
export class KeyQueue {
  readonly capacity: number;
  readonly dimension: number;
  private readonly keys: Float32Array;
  private readonly metadata: Array<KeyMetadata | undefined>;
  /** Slot of the next write, which is also the oldest entry once the queue is full. */
  private next = 0;
  private count = 0;

  constructor(capacity: number, dimension: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`The queue capacity must be a positive integer, got ${capacity}`);
    if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`The key dimension must be a positive integer, got ${dimension}`);
    this.capacity = capacity;
    this.dimension = dimension;
    this.keys = new Float32Array(capacity * dimension);
    this.metadata = new Array<KeyMetadata | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** Fraction of the K slots that hold a key. */
  get filledFraction(): number {
    return this.count / this.capacity;
  }

  /**
   * Appends a batch of B keys (row-major B x D) with one metadata entry each. A batch larger than
   * the queue is rejected, because some of its own keys would be overwritten before use.
   */
  enqueue(keys: ArrayLike<number>, metadata: readonly KeyMetadata[]): void {
    const batch = metadata.length;
    if (keys.length !== batch * this.dimension) {
      throw new Error(`Expected ${batch} keys of ${this.dimension} values (${batch * this.dimension}), got ${keys.length} values`);
    }
    if (batch > this.capacity) {
      throw new Error(`Cannot enqueue ${batch} keys into a queue of ${this.capacity}; raise the queue size to at least the batch size`);
    }
    for (let row = 0; row < batch; row++) {
      const slot = this.next;
      for (let d = 0; d < this.dimension; d++) this.keys[slot * this.dimension + d] = keys[row * this.dimension + d] ?? 0;
      this.metadata[slot] = metadata[row];
      this.next = (slot + 1) % this.capacity;
      this.count = Math.min(this.count + 1, this.capacity);
    }
  }

  /** Copies the queue slot by slot, so that `KeyQueue.restore` rebuilds the same slot order. */
  snapshot(): KeyQueueSnapshot {
    return {
      capacity: this.capacity,
      dimension: this.dimension,
      keys: this.keys.slice(),
      metadata: this.metadata.map((entry) => entry ?? null),
      next: this.next,
      count: this.count,
    };
  }

  /** Rebuilds a queue from a snapshot. The slot order is kept, because the loss sums in that order. */
  static restore(snapshot: KeyQueueSnapshot): KeyQueue {
    const queue = new KeyQueue(snapshot.capacity, snapshot.dimension);
    const { next, count } = snapshot;
    const consistent =
      snapshot.keys.length === snapshot.capacity * snapshot.dimension &&
      snapshot.metadata.length === snapshot.capacity &&
      Number.isInteger(count) && count >= 0 && count <= snapshot.capacity &&
      Number.isInteger(next) && next >= 0 && next < snapshot.capacity &&
      (count === snapshot.capacity || next === count) &&
      snapshot.metadata.every((entry, slot) => (slot < count) === (entry !== null));
    if (!consistent) throw new Error(`The queue snapshot is inconsistent (capacity ${snapshot.capacity}, count ${count}, next ${next})`);
    queue.keys.set(snapshot.keys);
    snapshot.metadata.forEach((entry, slot) => {
      queue.metadata[slot] = entry ?? undefined;
    });
    queue.next = next;
    queue.count = count;
    return queue;
  }

  /** Returns the filled slots as a size x D tensor in slot order, the column order of `negativeMask`. */
  keysTensor(): tf.Tensor2D {
    return tf.tensor2d(this.keys.subarray(0, this.count * this.dimension), [this.count, this.dimension]);
  }

  /** Returns the entries from oldest to newest. */
  entries(): Array<{ key: Float32Array; metadata: KeyMetadata }> {
    const first = this.count < this.capacity ? 0 : this.next;
    const entries: Array<{ key: Float32Array; metadata: KeyMetadata }> = [];
    for (let offset = 0; offset < this.count; offset++) {
      const slot = (first + offset) % this.capacity;
      const metadata = this.metadata[slot];
      if (metadata === undefined) throw new Error(`Queue slot ${slot} is counted as filled but has no metadata`);
      entries.push({ key: this.keys.slice(slot * this.dimension, (slot + 1) * this.dimension), metadata });
    }
    return entries;
  }

  /**
   * Builds the row-major B x size mask, 1 where queue slot j may be a negative for query i. An
   * entry of the query's own sample is always masked. The rules mask the same sequence within a
   * time window, the same place and the same decision group.
   */
  negativeMask(queries: readonly KeyMetadata[], rules: QueueMaskRules = {}): Uint8Array {
    const mask = new Uint8Array(queries.length * this.count);
    queries.forEach((query, row) => {
      for (let slot = 0; slot < this.count; slot++) {
        const entry = this.metadata[slot];
        if (entry !== undefined && !isFalseNegative(query, entry, rules)) mask[row * this.count + slot] = 1;
      }
    });
    return mask;
  }
}

function isFalseNegative(query: KeyMetadata, entry: KeyMetadata, rules: QueueMaskRules): boolean {
  if (query.sampleId === entry.sampleId) return true;
  const window = rules.sameSequenceWithinSeconds;
  if (window !== undefined && query.sequenceId !== undefined && query.sequenceId === entry.sequenceId) {
    // Without timestamps the window cannot be checked, so the whole sequence is masked.
    if (query.timestampSeconds === undefined || entry.timestampSeconds === undefined) return true;
    if (Math.abs(query.timestampSeconds - entry.timestampSeconds) <= window) return true;
  }
  if (rules.samePlace === true && query.placeId !== undefined && query.placeId === entry.placeId) return true;
  if (rules.sameDecisionGroup === true && query.decisionGroupId !== undefined && query.decisionGroupId === entry.decisionGroupId) return true;
  return false;
}

export interface MocoInputs {
  /** B x D query embeddings. They need not be unit length. */
  queries: tf.Tensor2D;
  /** B x D key embeddings of the same samples, from the key encoder and outside the gradient. */
  keys: tf.Tensor2D;
  /** size x D queue keys, from KeyQueue.keysTensor. */
  queue: tf.Tensor2D;
  /** Row-major B x size, from KeyQueue.negativeMask. */
  validNegatives: Uint8Array;
  temperature: number;
  /**
   * Row-major B x B, 1 where the batch's key j is a hard negative of query i: the two samples were
   * decided `different`. Other keys of the batch are never negatives.
   */
  keyNegatives?: Uint8Array;
  /** How many times each hard-negative key counts in the denominator (default 1). */
  keyNegativeWeight?: number;
}

/**
 * Computes the MoCo InfoNCE: query i against its own key (the positive, column 0) and the queue
 * entries (the negatives, masked). With `keyNegatives`, the batch's keys of hard-negative pairs
 * join the negatives in columns 1..B, weighted by `keyNegativeWeight`, and the queue follows
 * them. Call it inside tf.tidy or an optimizer's loss function: the returned scalar is the only
 * tensor the caller has to dispose.
 */
export function mocoLoss(inputs: MocoInputs): InfoNceResult {
  const [batch, dimension] = inputs.queries.shape;
  const [keyRows, keyDimension] = inputs.keys.shape;
  const [queueSize, queueDimension] = inputs.queue.shape;
  if (keyRows !== batch || keyDimension !== dimension || queueDimension !== dimension) {
    throw new Error(
      `MoCo expects queries and keys of one shape and a queue of the same dimension, got ${batch} x ${dimension}, ${keyRows} x ${keyDimension} and ${queueSize} x ${queueDimension}`,
    );
  }
  if (inputs.validNegatives.length !== batch * queueSize) {
    throw new Error(`The validNegatives mask has ${inputs.validNegatives.length} entries, expected ${batch} x ${queueSize} = ${batch * queueSize}`);
  }
  const temperature = inputs.temperature;
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`Temperature must be positive, got ${temperature}`);
  const keyNegatives = inputs.keyNegatives;
  if (keyNegatives !== undefined && keyNegatives.length !== batch * batch) {
    throw new Error(`The keyNegatives mask has ${keyNegatives.length} entries, expected ${batch} x ${batch}`);
  }
  const keyWeight = inputs.keyNegativeWeight ?? 1;
  if (!(keyWeight > 0) || !Number.isFinite(keyWeight)) throw new Error(`keyNegativeWeight must be a positive finite number, got ${keyWeight}`);

  // Column 0 is the own key, then the batch's keys when some are hard negatives, then the queue.
  const keyColumns = keyNegatives === undefined ? 0 : batch;
  const columns = 1 + keyColumns + queueSize;
  const validNegatives = new Uint8Array(batch * columns);
  const offsets = keyNegatives === undefined || keyWeight === 1 ? undefined : new Float32Array(batch * columns);
  for (let row = 0; row < batch; row++) {
    if (keyNegatives !== undefined) {
      for (let key = 0; key < batch; key++) {
        // A query's own key is its positive, never a negative.
        const valid = key !== row && keyNegatives[row * batch + key] === 1 ? 1 : 0;
        validNegatives[row * columns + 1 + key] = valid;
        if (offsets !== undefined && valid === 1) offsets[row * columns + 1 + key] = Math.log(keyWeight);
      }
    }
    validNegatives.set(inputs.validNegatives.subarray(row * queueSize, (row + 1) * queueSize), row * columns + 1 + keyColumns);
  }

  let result: InfoNceResult | undefined;
  const loss = tf.tidy(() => {
    const queries = l2Normalize(inputs.queries);
    const keys = l2Normalize(inputs.keys);
    const parts: tf.Tensor2D[] = [tf.sum(tf.mul(queries, keys), 1, true)];
    if (keyColumns > 0) parts.push(tf.matMul(queries, keys, false, true));
    // An empty queue skips the matMul: the wasm backend (4.22) prints an XNNPACK error on a 0-row operand.
    if (queueSize > 0) parts.push(tf.matMul(queries, l2Normalize(inputs.queue), false, true));
    const scores = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    const logits = tf.div(scores, tf.scalar(temperature)) as tf.Tensor2D;
    result = infoNceFromLogits({ logits, positives: new Int32Array(batch), validNegatives, ...(offsets === undefined ? {} : { negativeLogitOffsets: offsets }) });
    return result.loss;
  });
  if (result === undefined) throw new Error('mocoLoss: the loss was not computed');
  return { ...result, loss };
}
