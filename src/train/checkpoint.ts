/**
 * Checkpoint folders: everything needed to embed with a trained encoder or to resume its training.
 *
 *   checkpoint.json   format, version, run configuration, step, parameter and optimizer indexes,
 *                     the batch sampler's random state and anchor order
 *   weights.bin       float32 little-endian parameters, one after another in index order
 *   optimizer.bin     float32 Adam first moments, then second moments, in parameter order
 *                     (the encoder's parameters, then the CPC model's)
 *   objective.bin     version 2, MoCo and CPC only: float32 key-encoder weights and queue keys
 *                     (MoCo) or context-network and prediction weights (CPC)
 *
 * Version 1 had no objective section and no objective.bin; it still loads, as an InfoNCE run.
 * TensorFlow.js's `model.save('file://...')` needs tfjs-node, and this encoder is not a tfjs-layers
 * model anyway, so the files are written here. A save writes a temporary folder beside the target
 * and renames it into place, so readers never see a half-written checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import {
  adamIndexSchema,
  packAdam,
  pack,
  readFloats,
  sliceEntry,
  tensorEntrySchema,
  writeCheckpointFolder,
  type AdamIndex,
  type AdamInternals,
  type NamedValues,
  type TensorEntry,
} from './checkpoint-files.js';
import { encoderConfigOf, parseRunConfig } from './config.js';
import { Encoder, parameterSpecs } from './encoder.js';
import { KeyQueue } from './objectives/moco.js';
import { createOptimizer } from './optimizer.js';
import { createCpcModel } from './steps/cpc-step.js';
import { trainableVariables } from './steps/minimize.js';
import { createMocoState } from './steps/moco-step.js';
import { disposeTrainingState, type TrainingState } from './trainer.js';

const log = createLogger('checkpoint');

export const CHECKPOINT_FORMAT = 'apron-checkpoint';
export const CHECKPOINT_VERSION = 2;
const INDEX_FILE = 'checkpoint.json';
const WEIGHTS_FILE = 'weights.bin';
const OPTIMIZER_FILE = 'optimizer.bin';
const OBJECTIVE_FILE = 'objective.bin';

const keyMetadataSchema = z.object({
  sampleId: z.string(),
  sequenceId: z.string().optional(),
  placeId: z.string().optional(),
  timestampSeconds: z.number().optional(),
  decisionGroupId: z.string().optional(),
});

/** State of the objective beyond the encoder, with its tensors in objective.bin. */
const objectiveStateSchema = z.object({
  moco: z
    .object({
      keyWeights: z.array(tensorEntrySchema),
      queue: z.object({
        capacity: z.number().int().positive(),
        dimension: z.number().int().positive(),
        /** Slot of the next write. */
        next: z.number().int().nonnegative(),
        /** Filled slots. */
        count: z.number().int().nonnegative(),
        /** capacity x dimension keys in slot order. */
        keys: tensorEntrySchema,
        /** Metadata by slot, null for an empty slot. */
        metadata: z.array(keyMetadataSchema.nullable()),
      }),
    })
    .optional(),
  cpc: z.object({ weights: z.array(tensorEntrySchema) }).optional(),
});

const checkpointIndexSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.union([z.literal(1), z.literal(CHECKPOINT_VERSION)]),
  createdAt: z.string(),
  step: z.number().int().nonnegative(),
  backend: z.string().optional(),
  /** The run configuration as parsed (defaults filled). */
  config: z.unknown(),
  weights: z.array(tensorEntrySchema),
  optimizer: adamIndexSchema.nullable(),
  sampler: z
    .object({
      rngState: z.number().int().nonnegative(),
      order: z.array(z.number().int().nonnegative()),
      cursor: z.number().int().nonnegative(),
      epochs: z.number().int().nonnegative(),
      hardNegativeOrder: z.array(z.number().int().nonnegative()).optional(),
      hardNegativeCursor: z.number().int().nonnegative().optional(),
    })
    .optional(),
  objective: objectiveStateSchema.optional(),
});

export type CheckpointIndex = z.infer<typeof checkpointIndexSchema>;

export interface LoadedCheckpoint {
  dir: string;
  index: CheckpointIndex;
  state: TrainingState;
}

/** Saves `state` into `dir` atomically, replacing a checkpoint already there, and returns the absolute path. */
export async function saveCheckpoint(dir: string, state: TrainingState, options: { backend?: string } = {}): Promise<string> {
  const target = resolve(dir);
  const weightItems: NamedValues[] = [];
  for (const [name, variable] of state.encoder.variables) {
    weightItems.push({ name, shape: variable.shape, values: (await variable.data()) as Float32Array });
  }
  const weights = pack(weightItems);
  const optimizer = await packOptimizer(state);
  const objective = await packObjective(state);

  const index: CheckpointIndex = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    step: state.step,
    config: state.config,
    weights: weights.entries,
    optimizer: optimizer?.index ?? null,
  };
  if (options.backend !== undefined) index.backend = options.backend;
  if (state.sampler !== undefined) index.sampler = state.sampler;
  if (objective !== undefined) index.objective = objective.index;

  const files = [
    { name: WEIGHTS_FILE, data: weights.data },
    { name: OPTIMIZER_FILE, data: optimizer?.data ?? new Float32Array(0) },
    ...(objective === undefined ? [] : [{ name: OBJECTIVE_FILE, data: objective.data }]),
  ];
  writeCheckpointFolder(target, files, { name: INDEX_FILE, json: index }, 'checkpoint');
  log.info(`saved checkpoint at step ${state.step} to ${target}`);
  return target;
}

async function packOptimizer(state: TrainingState): Promise<{ index: AdamIndex; data: Float32Array } | undefined> {
  // The key encoder never appears here, because the optimizer is given the trainable variables only.
  const trainable = trainableVariables(state);
  return packAdam(state.optimizer, [...trainable.keys()], [...trainable.values()]);
}

/** Packs MoCo's key weights and queue, or CPC's model weights, into objective.bin's layout. */
async function packObjective(state: TrainingState): Promise<{ index: z.infer<typeof objectiveStateSchema>; data: Float32Array } | undefined> {
  const items: NamedValues[] = [];
  const addVariables = async (prefix: string, variables: ReadonlyMap<string, tf.Variable>): Promise<void> => {
    for (const [name, variable] of variables) items.push({ name: `${prefix}${name}`, shape: variable.shape, values: (await variable.data()) as Float32Array });
  };

  if (state.moco !== undefined) {
    await addVariables('key/', state.moco.momentum.key);
    const snapshot = state.moco.queue.snapshot();
    items.push({ name: 'queue/keys', shape: [snapshot.capacity, snapshot.dimension], values: snapshot.keys });
    const packed = pack(items);
    const keyWeights = packed.entries.slice(0, -1).map((entry) => ({ ...entry, name: entry.name.slice('key/'.length) }));
    const { capacity, dimension, next, count, metadata } = snapshot;
    return { index: { moco: { keyWeights, queue: { capacity, dimension, next, count, keys: packed.entries.at(-1)!, metadata } } }, data: packed.data };
  }
  if (state.cpc !== undefined) {
    await addVariables('', state.cpc.variables);
    const packed = pack(items);
    return { index: { cpc: { weights: packed.entries } }, data: packed.data };
  }
  return undefined;
}

function damaged(root: string, why: string): ApronError {
  return new ApronError('unreadable-file', `Checkpoint ${root} is damaged: ${why}`, {
    path: root,
    hint: 'Train again, or restore the checkpoint folder from a backup.',
  });
}

function slice(data: Float32Array, entry: TensorEntry, file: string, root: string): Float32Array {
  return sliceEntry(data, entry, file, (problem) => damaged(root, problem));
}

/** Loads a checkpoint folder into a fresh encoder and optimizer, ready to embed or to resume. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const root = resolve(dir);
  const indexPath = join(root, INDEX_FILE);
  if (!existsSync(indexPath)) {
    throw new ApronError('not-found', `No checkpoint in ${root} (${INDEX_FILE} is missing)`, {
      path: root,
      hint: 'Point at a folder written by a training run; an interrupted save leaves no index.',
    });
  }

  let index: CheckpointIndex;
  let weightData: Float32Array;
  let optimizerData: Float32Array;
  let objectiveData: Float32Array;
  try {
    index = checkpointIndexSchema.parse(JSON.parse(readFileSync(indexPath, 'utf8')));
    weightData = readFloats(join(root, WEIGHTS_FILE));
    optimizerData = readFloats(join(root, OPTIMIZER_FILE));
    objectiveData = index.objective === undefined ? new Float32Array(0) : readFloats(join(root, OBJECTIVE_FILE));
  } catch (error) {
    throw new ApronError('unreadable-file', `Checkpoint ${root} is unreadable: ${(error as Error).message}`, {
      path: root,
      hint: 'The checkpoint is damaged or from another version of Apron; train again or restore it from a backup.',
      cause: error,
    });
  }

  const config = parseRunConfig(index.config);
  const encoderConfig = encoderConfigOf(config);
  const entries = new Map(index.weights.map((entry) => [entry.name, entry]));
  const weights = new Map<string, Float32Array>();
  for (const spec of parameterSpecs(encoderConfig)) {
    const entry = entries.get(spec.name);
    if (entry === undefined || entry.shape.join('x') !== spec.shape.join('x')) {
      throw damaged(root, `it has no parameter ${spec.name} of shape ${spec.shape.join('x')}`);
    }
    weights.set(spec.name, slice(weightData, entry, WEIGHTS_FILE, root));
  }

  const encoder = Encoder.create(encoderConfig, { weights });
  const optimizer = createOptimizer(config.learningRate);
  const state: TrainingState = { config, encoder, optimizer, step: index.step, sampler: index.sampler };
  try {
    restoreObjective(state, index, objectiveData, root);
    if (index.optimizer !== null) await restoreOptimizer(optimizer, index.optimizer, optimizerData, trainableVariables(state), root);
  } catch (error) {
    disposeTrainingState(state);
    throw error;
  }
  return { dir: root, index, state };
}

/**
 * Restores MoCo's key encoder and queue or CPC's model into `state`. A MoCo or CPC run saved
 * without them (for example after a cancel before the first step) starts them afresh on resume.
 */
function restoreObjective(state: TrainingState, index: CheckpointIndex, data: Float32Array, root: string): void {
  const saved = index.objective;
  const kind = state.config.objective.kind;
  if (kind === 'moco' && saved?.moco !== undefined) {
    const { keyWeights, queue } = saved.moco;
    const weights = new Map(keyWeights.map((entry) => [entry.name, slice(data, entry, OBJECTIVE_FILE, root)]));
    state.moco = createMocoState(state.config, state.encoder, weights);
    try {
      const snapshot = { ...queue, keys: slice(data, queue.keys, OBJECTIVE_FILE, root) };
      state.moco.queue = KeyQueue.restore(snapshot);
    } catch (error) {
      throw damaged(root, `its MoCo queue cannot be restored: ${(error as Error).message}`);
    }
  }
  if (kind === 'cpc' && saved?.cpc !== undefined) {
    const model = createCpcModel(state.config);
    state.cpc = model;
    const entries = new Map(saved.cpc.weights.map((entry) => [entry.name, entry]));
    for (const [name, variable] of model.variables) {
      const entry = entries.get(name);
      if (entry === undefined || entry.shape.join('x') !== variable.shape.join('x')) {
        throw damaged(root, `it has no CPC weight ${name} of shape ${variable.shape.join('x')}`);
      }
      const tensor = tf.tensor(slice(data, entry, OBJECTIVE_FILE, root), entry.shape);
      variable.assign(tensor);
      tensor.dispose();
    }
  }
}

async function restoreOptimizer(
  optimizer: tf.AdamOptimizer,
  saved: NonNullable<CheckpointIndex['optimizer']>,
  data: Float32Array,
  trainable: ReadonlyMap<string, tf.Variable>,
  root: string,
): Promise<void> {
  const variables = [...trainable.entries()];
  const named: { name: string; tensor: tf.Tensor }[] = [{ name: 'iter', tensor: tf.scalar(saved.iterations, 'int32') }];
  try {
    for (const [kind, list] of [['m', saved.firstMoments], ['v', saved.secondMoments]] as const) {
      list.forEach((entry, position) => {
        const [name, variable] = variables[position] ?? [];
        if (name === undefined || variable === undefined || entry.name !== `${name}/${kind}`) {
          throw damaged(root, `optimizer moment ${entry.name} does not match parameter ${String(name)}`);
        }
        const values = slice(data, entry, OPTIMIZER_FILE, root);
        named.push({ name: `${variable.name}/${kind}`, tensor: tf.tensor(values, entry.shape) });
      });
    }
    await optimizer.setWeights(named);
  } finally {
    // setWeights makes variables that share these tensors' data, so the tensors themselves can go.
    tf.dispose(named.map((item) => item.tensor));
  }

  const internals = optimizer as unknown as AdamInternals;
  if (Number.isFinite(saved.beta1Power) && internals.accBeta1 !== undefined) internals.accBeta1.assign(tf.scalar(saved.beta1Power));
  if (Number.isFinite(saved.beta2Power) && internals.accBeta2 !== undefined) internals.accBeta2.assign(tf.scalar(saved.beta2Power));
}
