import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { KeyQueue, mocoLoss, MomentumEncoder, type KeyMetadata } from '../../src/train/objectives/moco.js';

/** Creates the weights of a one-layer linear encoder: embedding = input x W. */
function linearQuery(values: number[], inputs: number, outputs: number): Map<string, tf.Variable> {
  const initial = tf.tensor2d(values, [inputs, outputs]);
  const variable = tf.variable(initial, true);
  initial.dispose();
  return new Map([['dense/kernel', variable]]);
}

function meta(sampleId: string, extra: Partial<KeyMetadata> = {}): KeyMetadata {
  return { sampleId, ...extra };
}

describe('MomentumEncoder', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('starts equal and updates as m k + (1 - m) q', () => {
    const query = linearQuery([0.1, -0.2, 0.3, 0.4, 0.5, -0.6], 3, 2);
    const momentum = MomentumEncoder.create(query, 0.99);
    const queryVariable = query.get('dense/kernel') as tf.Variable;
    const keyVariable = momentum.key.get('dense/kernel') as tf.Variable;
    expect(keyVariable.trainable).toBe(false);
    expect(Array.from(keyVariable.dataSync())).toEqual(Array.from(queryVariable.dataSync()));

    const newQuery = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    queryVariable.assign(newQuery);
    newQuery.dispose();
    const k = Float32Array.from(keyVariable.dataSync());
    const q = Float32Array.from(queryVariable.dataSync());
    momentum.update();

    // Float32 arithmetic as the kernels do it: each product and the sum rounded to float32.
    const m = Math.fround(0.99);
    const oneMinusM = Math.fround(1 - 0.99);
    const expected = k.map((value, i) => Math.fround(Math.fround(value * m) + Math.fround((q[i] ?? 0) * oneMinusM)));
    expect(Array.from(keyVariable.dataSync())).toEqual(Array.from(expected));

    momentum.dispose();
    queryVariable.dispose();
  });

  it('trains the query weights and leaves the key weights alone', () => {
    const query = linearQuery([0.1, -0.2, 0.3, 0.4, 0.5, -0.6], 3, 2);
    const momentum = MomentumEncoder.create(query, 0.9);
    const queryVariable = query.get('dense/kernel') as tf.Variable;
    const keyVariable = momentum.key.get('dense/kernel') as tf.Variable;
    const queryBefore = Array.from(queryVariable.dataSync());
    const keyBefore = Array.from(keyVariable.dataSync());

    const inputs = tf.tensor2d([1, 0, 0, 0, 1, 0], [2, 3]);
    const queueKeys = tf.tensor2d([0.3, 1, -1, 0.2], [2, 2]);
    // Keys come from the key encoder outside the loss function, so they are constants there.
    const keys = tf.tidy((): tf.Tensor2D => tf.matMul(inputs, keyVariable as tf.Tensor2D));
    const optimizer = tf.train.sgd(0.5);
    const cost = optimizer.minimize(
      () =>
        mocoLoss({
          queries: tf.matMul(inputs, queryVariable as tf.Tensor2D),
          keys,
          queue: queueKeys,
          validNegatives: new Uint8Array([1, 1, 1, 1]),
          temperature: 0.2,
        }).loss,
      true,
    );
    cost?.dispose();

    const queryAfter = Array.from(queryVariable.dataSync());
    expect(queryAfter).not.toEqual(queryBefore);
    expect(Array.from(keyVariable.dataSync())).toEqual(keyBefore);

    tf.dispose([inputs, queueKeys, keys]);
    optimizer.dispose();
    momentum.dispose();
    queryVariable.dispose();
  });
});

describe('KeyQueue', () => {
  it('is FIFO across wrap-around', () => {
    const queue = new KeyQueue(5, 2);
    // Three batches of 2 keys into 5 slots: the sixth key overwrites the first.
    queue.enqueue([1, 1, 2, 2], [meta('s1', { sequenceId: 'a' }), meta('s2', { sequenceId: 'a' })]);
    expect(queue.filledFraction).toBeCloseTo(0.4, 10);
    queue.enqueue([3, 3, 4, 4], [meta('s3'), meta('s4', { placeId: 'p' })]);
    queue.enqueue([5, 5, 6, 6], [meta('s5'), meta('s6', { decisionGroupId: 'g' })]);
    expect(queue.size).toBe(5);
    expect(queue.filledFraction).toBe(1);

    const entries = queue.entries();
    expect(entries.map((entry) => Array.from(entry.key))).toEqual([
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
      [6, 6],
    ]);
    expect(entries.map((entry) => entry.metadata.sampleId)).toEqual(['s2', 's3', 's4', 's5', 's6']);
    expect(entries[0]?.metadata.sequenceId).toBe('a');
    expect(entries[2]?.metadata.placeId).toBe('p');
    expect(entries[4]?.metadata.decisionGroupId).toBe('g');

    // One more key overwrites the oldest (s2), never the newest.
    queue.enqueue([7, 7], [meta('s7')]);
    expect(queue.entries().map((entry) => entry.metadata.sampleId)).toEqual(['s3', 's4', 's5', 's6', 's7']);
  });

  it('rejects a batch larger than the queue', () => {
    const queue = new KeyQueue(2, 1);
    expect(() => queue.enqueue([1, 2, 3], [meta('a'), meta('b'), meta('c')])).toThrow(/raise the queue size/);
    expect(queue.size).toBe(0);
  });

  it('masks false negatives by metadata', () => {
    const queue = new KeyQueue(6, 1);
    queue.enqueue(
      [0, 1, 2, 3, 4, 5],
      [
        meta('q1'), // the query's own sample from an earlier batch
        meta('near', { sequenceId: 'seq', timestampSeconds: 105 }), // same sequence, 5 s away
        meta('far', { sequenceId: 'seq', timestampSeconds: 200 }), // same sequence, 100 s away
        meta('place', { placeId: 'crossing' }),
        meta('group', { decisionGroupId: 'g1' }),
        meta('other', { sequenceId: 'other', timestampSeconds: 100 }),
      ],
    );
    const query = meta('q1', { sequenceId: 'seq', timestampSeconds: 100, placeId: 'crossing', decisionGroupId: 'g1' });
    const all = queue.negativeMask([query], { sameSequenceWithinSeconds: 30, samePlace: true, sameDecisionGroup: true });
    expect(Array.from(all)).toEqual([0, 0, 1, 0, 0, 1]);
    // Without rules only the query's own sample is masked.
    expect(Array.from(queue.negativeMask([query]))).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it('never uses the current batch as its own negatives', () => {
    const before = tf.memory().numTensors;
    const queue = new KeyQueue(4, 2);
    queue.enqueue([1, 0, 0, 1], [meta('old1'), meta('old2')]);
    const batch = [meta('b1'), meta('b2')];
    const mask = queue.negativeMask(batch);
    // The loss uses only the two earlier keys, and the batch is enqueued after it.
    const result = tf.tidy(() => {
      const queries = tf.tensor2d([1, 0.1, 0.1, 1], [2, 2]);
      const keys = tf.tensor2d([1, 0, 0, 1], [2, 2]);
      const outcome = mocoLoss({ queries, keys, queue: queue.keysTensor(), validNegatives: mask, temperature: 0.1 });
      return { loss: outcome.loss.dataSync()[0] ?? Number.NaN, rowsWithoutNegatives: outcome.rowsWithoutNegatives };
    });
    expect(mask.length).toBe(4);
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(result.rowsWithoutNegatives).toBe(0);
    queue.enqueue([1, 0.1, 0.1, 1], batch);
    expect(queue.entries().map((entry) => entry.metadata.sampleId)).toEqual(['old1', 'old2', 'b1', 'b2']);
    expect(tf.memory().numTensors).toBe(before);
  });

});

describe('mocoLoss', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('matches the hand-computed loss', () => {
    // q = (1, 0), own key (0.6, 0.8): positive logit 0.6 / 0.5 = 1.2. Queue keys (0, 1) and (-1, 0)
    // give logits 0 and -2, and the second is masked: loss = log(1 + e^(0 - 1.2)) = 0.26328247.
    const value = tf.tidy(() =>
      mocoLoss({
        queries: tf.tensor2d([[1, 0]]),
        keys: tf.tensor2d([[0.6, 0.8]]),
        queue: tf.tensor2d([
          [0, 1],
          [-1, 0],
        ]),
        validNegatives: new Uint8Array([1, 0]),
        temperature: 0.5,
      }).loss.dataSync()[0],
    );
    expect(value).toBeCloseTo(0.26328247, 5);
  });

  it('adds hard-negative keys of the batch with their weight', () => {
    // Query 0 = (1, 0) with own key (0.6, 0.8): logit 1.2 at temperature 0.5. Key 1 = (0, 1) is its
    // hard negative (logit 0) and the queue's (-1, 0) gives -2. Query 1's key 0 is not marked, so
    // query 1 scores against the queue only.
    const lossOf = (weight: number, keyNegatives = new Uint8Array([0, 1, 0, 0])): number =>
      tf.tidy(
        () =>
          mocoLoss({
            queries: tf.tensor2d([
              [1, 0],
              [0, 1],
            ]),
            keys: tf.tensor2d([
              [0.6, 0.8],
              [0, 1],
            ]),
            queue: tf.tensor2d([[-1, 0]]),
            validNegatives: new Uint8Array([1, 1]),
            temperature: 0.5,
            keyNegatives,
            keyNegativeWeight: weight,
          }).loss.dataSync()[0]!,
      );
    // Query 0: log(1 + w e^(0 - 1.2) + e^(-2 - 1.2)); query 1: own logit 2, queue logit 0: log(1 + e^-2).
    const expected = (weight: number): number => (Math.log(1 + weight * Math.exp(-1.2) + Math.exp(-3.2)) + Math.log(1 + Math.exp(-2))) / 2;
    expect(lossOf(1)).toBeCloseTo(expected(1), 5);
    expect(lossOf(3)).toBeCloseTo(expected(3), 5);
    // A query's own key is never its negative, even where the mask marks it.
    expect(lossOf(1, new Uint8Array([1, 1, 0, 1]))).toBeCloseTo(expected(1), 5);
  });

  it('gives loss 0 with an empty queue', () => {
    const queue = new KeyQueue(4, 2);
    const result = tf.tidy(() => {
      const outcome = mocoLoss({
        queries: tf.tensor2d([[1, 0]]),
        keys: tf.tensor2d([[0.6, 0.8]]),
        queue: queue.keysTensor(),
        validNegatives: queue.negativeMask([meta('a')]),
        temperature: 0.5,
      });
      return { loss: outcome.loss.dataSync()[0], rows: outcome.rowsWithoutNegatives };
    });
    expect(result.loss).toBe(0);
    expect(result.rows).toBe(1);
  });
});
