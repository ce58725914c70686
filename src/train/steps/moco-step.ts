/**
 * One MoCo step. The queries are the batch's anchor views through the query encoder. The keys are
 * the positive views through the key encoder, computed outside the gradient. The queries are scored
 * against their own key and the queue, and Adam updates the query weights only. Then the key
 * weights follow by the moving average. The batch's keys are enqueued last, so that a batch is
 * not among its own negatives. The exception is hard negatives: when they are on, the key of a
 * sample decided `different` from a query's sample is one of that query's negatives, weighted.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../batches.js';
import { encoderConfigOf, type RunConfig } from '../config.js';
import { Encoder, l2Normalize } from '../encoder.js';
import { KeyQueue, mocoLoss, MomentumEncoder, type KeyMetadata, type QueueMaskRules } from '../objectives/moco.js';
import type { TrainingState } from '../trainer.js';
import { minimizeLoss } from './minimize.js';
import { readEmbeddings, type StepOutcome } from './step.js';

export interface MocoState {
  momentum: MomentumEncoder;
  /** An encoder whose variables are the momentum encoder's key variables. Dispose `momentum`, not this. */
  keyEncoder: Encoder;
  queue: KeyQueue;
}

/** A batch with the metadata that the queue masks by: one entry per anchor and per key. */
export interface MocoBatch extends Batch {
  anchorMetadata: KeyMetadata[];
  keyMetadata: KeyMetadata[];
  /**
   * Row-major size x size, 1 where the batch's key j is a hard negative of query i (their samples
   * were decided `different` and no mask rule joins them). Set only when hard negatives are on.
   */
  keyNegatives?: Uint8Array;
}

type MocoObjective = Extract<RunConfig['objective'], { kind: 'moco' }>;

/**
 * Creates the key encoder as a copy of the query encoder and an empty queue. With `keyWeights`
 * (from a checkpoint) the key encoder starts from those instead.
 */
export function createMocoState(config: RunConfig, query: Encoder, keyWeights?: Map<string, Float32Array>): MocoState {
  const objective = mocoObjective(config);
  const momentum = MomentumEncoder.create(query.variables, objective.momentum);
  if (keyWeights !== undefined) {
    for (const [name, variable] of momentum.key) {
      const values = keyWeights.get(name);
      if (values === undefined) throw new Error(`The saved key encoder has no weight ${name}`);
      const tensor = tf.tensor(values, variable.shape);
      variable.assign(tensor);
      tensor.dispose();
    }
  }
  return { momentum, keyEncoder: keyEncoderOver(config, momentum), queue: new KeyQueue(objective.queueSize, config.embeddingDim) };
}

/**
 * Builds an Encoder that runs on the momentum encoder's key variables. Encoder has no constructor
 * that takes variables, so a fresh encoder's own variables are disposed and replaced in its map.
 */
function keyEncoderOver(config: RunConfig, momentum: MomentumEncoder): Encoder {
  const encoder = Encoder.create(encoderConfigOf(config), { seed: 0 });
  encoder.dispose();
  for (const [name, variable] of momentum.key) encoder.variables.set(name, variable);
  return encoder;
}

export function disposeMocoState(moco: MocoState): void {
  // The key encoder's map contains the momentum encoder's variables, so it is only cleared.
  moco.keyEncoder.variables.clear();
  moco.momentum.dispose();
}

export function queueMaskRules(config: RunConfig): QueueMaskRules {
  const { queueMask } = mocoObjective(config);
  const rules: QueueMaskRules = { samePlace: queueMask.samePlace, sameDecisionGroup: queueMask.sameDecisionGroup };
  if (queueMask.sameSequenceWithinSeconds !== undefined) rules.sameSequenceWithinSeconds = queueMask.sameSequenceWithinSeconds;
  return rules;
}

export async function mocoStep(state: TrainingState, batch: MocoBatch, keepMonitorInputs: boolean): Promise<StepOutcome> {
  const moco = state.moco;
  if (moco === undefined) throw new Error('The MoCo step needs the key encoder and queue in the training state');
  const { width, height } = state.config.imageSize;
  const size = batch.size;
  const pixelsPerImage = width * height;
  const queryImages = tf.tensor4d(batch.pixels.subarray(0, size * pixelsPerImage), [size, height, width, 1]);
  const keyImages = tf.tensor4d(batch.pixels.subarray(size * pixelsPerImage), [size, height, width, 1]);

  // Outside the optimizer's loss function, so no gradient reaches the key weights.
  const keys = tf.tidy(() => l2Normalize(moco.keyEncoder.embedUnnormalized(keyImages)));
  const queue = moco.queue.keysTensor();
  const validNegatives = moco.queue.negativeMask(batch.anchorMetadata, queueMaskRules(state.config));
  let rowsWithoutNegatives = 0;
  let maskedFraction = 0;
  let keptQueries: tf.Tensor2D | undefined;
  const loss = await minimizeLoss(state, () => {
    const queries = state.encoder.embedUnnormalized(queryImages);
    if (keepMonitorInputs) keptQueries = tf.keep(queries);
    const result = mocoLoss({
      queries,
      keys,
      queue,
      validNegatives,
      temperature: state.config.temperature,
      ...(batch.keyNegatives === undefined ? {} : { keyNegatives: batch.keyNegatives, keyNegativeWeight: state.config.hardNegatives.weight }),
    });
    rowsWithoutNegatives = result.rowsWithoutNegatives;
    maskedFraction = result.maskedFraction;
    return result.loss;
  });
  moco.momentum.update();

  const keyValues = (await keys.data()) as Float32Array;
  const outcome: StepOutcome = { loss, rowsWithoutNegatives, maskedFraction, hardNegativePairs: batch.keyNegatives === undefined ? 0 : batch.hardNegativePairs };
  // A step whose queue offers no negative (the first one, with an empty queue) has no loss to
  // monitor, and its top-1 accuracy and chance level would read as a perfect score.
  const hasNegatives = rowsWithoutNegatives < size;
  if (keptQueries !== undefined && hasNegatives) outcome.monitorInputs = await monitorInputs(keptQueries, keyValues, queue, validNegatives, size, batch.keyNegatives);
  moco.queue.enqueue(keyValues, batch.keyMetadata);
  outcome.queueFilledFraction = moco.queue.filledFraction;

  keptQueries?.dispose();
  tf.dispose([queryImages, keyImages, keys, queue]);
  return outcome;
}

/**
 * Builds the monitors' inputs of a MoCo step. The candidates are the batch's keys followed by the
 * queue, so query i has positive candidate i and the queue's mask fills the columns after the keys.
 * Among the keys, only hard negatives (`keyNegatives`) are valid negatives.
 */
async function monitorInputs(
  queries: tf.Tensor2D,
  keyValues: Float32Array,
  queue: tf.Tensor2D,
  queueMask: Uint8Array,
  size: number,
  keyNegatives: Uint8Array | undefined,
): Promise<StepOutcome['monitorInputs']> {
  const anchors = await readEmbeddings(queries);
  const queueValues = (await queue.data()) as Float32Array;
  const queued = queue.shape[0];
  const columns = size + queued;
  const values = new Float32Array(columns * anchors.columns);
  values.set(keyValues);
  values.set(queueValues, keyValues.length);
  const validNegatives = new Uint8Array(size * columns);
  for (let row = 0; row < size; row++) {
    if (keyNegatives !== undefined) {
      for (let key = 0; key < size; key++) if (key !== row) validNegatives[row * columns + key] = keyNegatives[row * size + key] ?? 0;
    }
    validNegatives.set(queueMask.subarray(row * queued, (row + 1) * queued), row * columns + size);
  }
  return {
    anchors,
    candidates: { values, rows: columns, columns: anchors.columns },
    positives: Int32Array.from({ length: size }, (_, row) => row),
    validNegatives,
    // mocoLoss counts a row without negatives as 0 in its mean.
    rowsWithoutNegatives: 'zero',
  };
}

function mocoObjective(config: RunConfig): MocoObjective {
  if (config.objective.kind !== 'moco') throw new Error(`The run's objective is ${config.objective.kind}, not moco`);
  return config.objective;
}
