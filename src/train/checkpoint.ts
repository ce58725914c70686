/**
 * Checkpoint folders: everything needed to embed with a trained encoder or to resume its training.
 *
 *   checkpoint.json   format, version, run configuration, step, parameter and optimizer indexes,
 *                     the batch sampler's random state and anchor order
 *   weights.bin       float32 little-endian parameters, one after another in index order
 *   optimizer.bin     float32 Adam first moments, then second moments, in parameter order
 *
 * TensorFlow.js's `model.save('file://...')` needs tfjs-node, and this encoder is not a tfjs-layers
 * model anyway, so the files are written here. A save writes a temporary folder beside the target
 * and renames it into place, so readers never see a half-written checkpoint.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { encoderConfigOf, parseRunConfig } from './config.js';
import { Encoder, parameterSpecs } from './encoder.js';
import { createOptimizer } from './optimizer.js';
import type { TrainingState } from './trainer.js';

const log = createLogger('checkpoint');

export const CHECKPOINT_FORMAT = 'apron-checkpoint';
export const CHECKPOINT_VERSION = 1;
const INDEX_FILE = 'checkpoint.json';
const WEIGHTS_FILE = 'weights.bin';
const OPTIMIZER_FILE = 'optimizer.bin';

const tensorEntrySchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  /** Offset in float32 elements from the start of the binary file. */
  offset: z.number().int().nonnegative(),
});

const checkpointIndexSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  createdAt: z.string(),
  step: z.number().int().nonnegative(),
  backend: z.string().optional(),
  /** The run configuration as parsed (defaults filled). */
  config: z.unknown(),
  weights: z.array(tensorEntrySchema),
  optimizer: z
    .object({
      iterations: z.number().int().nonnegative(),
      /** Adam's running products beta1^(t+1) and beta2^(t+1), kept exactly for bit-identical resumes. */
      beta1Power: z.number(),
      beta2Power: z.number(),
      firstMoments: z.array(tensorEntrySchema),
      secondMoments: z.array(tensorEntrySchema),
    })
    .nullable(),
  sampler: z
    .object({
      rngState: z.number().int().nonnegative(),
      order: z.array(z.number().int().nonnegative()),
      cursor: z.number().int().nonnegative(),
      epochs: z.number().int().nonnegative(),
    })
    .optional(),
});

type TensorEntry = z.infer<typeof tensorEntrySchema>;
export type CheckpointIndex = z.infer<typeof checkpointIndexSchema>;

export interface LoadedCheckpoint {
  dir: string;
  index: CheckpointIndex;
  state: TrainingState;
}

/** Adam's private running products, read and restored so that a resume is bit-identical. */
interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

/** Packs tensors' values one after another into one float32 buffer, returning the index entries. */
function pack(items: { name: string; shape: number[]; values: Float32Array }[]): { entries: TensorEntry[]; data: Float32Array } {
  const total = items.reduce((sum, item) => sum + item.values.length, 0);
  const data = new Float32Array(total);
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const item of items) {
    data.set(item.values, offset);
    entries.push({ name: item.name, shape: item.shape, offset });
    offset += item.values.length;
  }
  return { entries, data };
}

function toBytes(data: Float32Array): Uint8Array {
  // Float32Array uses the platform's byte order, and every platform Node supports is little-endian.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Saves `state` into `dir` atomically, replacing a checkpoint already there, and returns the absolute path. */
export async function saveCheckpoint(dir: string, state: TrainingState, options: { backend?: string } = {}): Promise<string> {
  const target = resolve(dir);
  const weightItems: { name: string; shape: number[]; values: Float32Array }[] = [];
  for (const [name, variable] of state.encoder.variables) {
    weightItems.push({ name, shape: variable.shape, values: (await variable.data()) as Float32Array });
  }
  const weights = pack(weightItems);
  const optimizer = await packOptimizer(state);

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

  const temporary = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(temporary, { recursive: true });
  try {
    writeFileSync(join(temporary, WEIGHTS_FILE), toBytes(weights.data));
    writeFileSync(join(temporary, OPTIMIZER_FILE), toBytes(optimizer?.data ?? new Float32Array(0)));
    // The index goes last, so a folder with an index has all its files.
    writeFileSync(join(temporary, INDEX_FILE), JSON.stringify(index, null, 2) + '\n');
    replaceFolder(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw new ApronError('unreadable-file', `Could not write checkpoint ${target}: ${(error as Error).message}`, {
      path: target,
      hint: 'Check that the folder is writable and the disk has space.',
      cause: error,
    });
  }
  log.info(`saved checkpoint at step ${state.step} to ${target}`);
  return target;
}

/** Renames `source` to `target`, moving an existing `target` aside first and deleting it after. */
function replaceFolder(source: string, target: string): void {
  if (!existsSync(target)) {
    renameSync(source, target);
    return;
  }
  const old = `${target}.old-${process.pid}-${Date.now()}`;
  renameSync(target, old);
  try {
    renameSync(source, target);
  } catch (error) {
    renameSync(old, target);
    throw error;
  }
  rmSync(old, { recursive: true, force: true });
}

async function packOptimizer(state: TrainingState): Promise<{ index: NonNullable<CheckpointIndex['optimizer']>; data: Float32Array } | undefined> {
  const weights = await state.optimizer.getWeights();
  const iterationsEntry = weights[0];
  const moments = weights.slice(1);
  if (iterationsEntry === undefined || moments.length === 0) return undefined;

  const names = [...state.encoder.variables.keys()];
  const variables = [...state.encoder.variables.values()];
  if (moments.length !== 2 * names.length) {
    throw new Error(`Adam has ${moments.length / 2} moment pairs but the encoder has ${names.length} parameters`);
  }
  const items: { name: string; shape: number[]; values: Float32Array }[] = [];
  for (const [position, moment] of moments.entries()) {
    const parameter = position % names.length;
    const kind = position < names.length ? 'm' : 'v';
    // Adam names moments after their variable, so a mismatch means its order differs from ours.
    if (moment.name !== `${variables[parameter]!.name}/${kind}`) {
      throw new Error(`Adam moment ${moment.name} is not in the encoder's parameter order`);
    }
    items.push({ name: `${names[parameter]!}/${kind}`, shape: moment.tensor.shape, values: (await moment.tensor.data()) as Float32Array });
  }
  const packed = pack(items);
  const internals = state.optimizer as unknown as AdamInternals;
  const iterations = (await iterationsEntry.tensor.data())[0] ?? 0;
  tf.dispose(iterationsEntry.tensor);
  return {
    index: {
      iterations,
      beta1Power: internals.accBeta1 === undefined ? Number.NaN : ((await internals.accBeta1.data())[0] ?? Number.NaN),
      beta2Power: internals.accBeta2 === undefined ? Number.NaN : ((await internals.accBeta2.data())[0] ?? Number.NaN),
      firstMoments: packed.entries.slice(0, names.length),
      secondMoments: packed.entries.slice(names.length),
    },
    data: packed.data,
  };
}

function readFloats(path: string): Float32Array {
  const bytes = readFileSync(path);
  if (bytes.byteLength % 4 !== 0) throw new Error(`${path} is ${bytes.byteLength} bytes, not a whole number of float32 values`);
  // Copy into an aligned buffer, because a Buffer's offset into Node's pool need not be a multiple of 4.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

function damaged(root: string, why: string): ApronError {
  return new ApronError('unreadable-file', `Checkpoint ${root} is damaged: ${why}`, {
    path: root,
    hint: 'Train again, or restore the checkpoint folder from a backup.',
  });
}

function slice(data: Float32Array, entry: TensorEntry, file: string, root: string): Float32Array {
  const size = entry.shape.reduce((product, dim) => product * dim, 1);
  if (entry.offset + size > data.length) throw damaged(root, `${entry.name} runs past the end of ${file}`);
  return data.slice(entry.offset, entry.offset + size);
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
  try {
    index = checkpointIndexSchema.parse(JSON.parse(readFileSync(indexPath, 'utf8')));
    weightData = readFloats(join(root, WEIGHTS_FILE));
    optimizerData = readFloats(join(root, OPTIMIZER_FILE));
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
  if (index.optimizer !== null) {
    try {
      await restoreOptimizer(optimizer, index.optimizer, optimizerData, encoder, root);
    } catch (error) {
      encoder.dispose();
      optimizer.dispose();
      throw error;
    }
  }

  return {
    dir: root,
    index,
    state: { config, encoder, optimizer, step: index.step, sampler: index.sampler },
  };
}

async function restoreOptimizer(
  optimizer: tf.AdamOptimizer,
  saved: NonNullable<CheckpointIndex['optimizer']>,
  data: Float32Array,
  encoder: Encoder,
  root: string,
): Promise<void> {
  const variables = [...encoder.variables.entries()];
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
