/**
 * Cross-modal checkpoint folders: everything needed to embed with either encoder or to resume the run.
 *
 *   crossmodal-checkpoint.json   format, version, run configuration, step, tensor indexes, Adam's
 *                                iteration count and running products, the sampler's random state
 *   weights.bin                  float32 little-endian parameters in index order: the image
 *                                encoder's (`image/...`), the partner encoder's (PointNet's
 *                                `lidar/...` or the BEV encoder's `bev/...`) and the log logit
 *                                scale of the pair (`logit-scale/camera|lidar` or `bev|camera`)
 *   optimizer.bin                float32 Adam first moments, then second moments, in the same order
 *
 * The layout is that of the single-encoder checkpoints (../checkpoint-files.ts), under its own
 * index name and format, so neither reader mistakes the other's folder for its own. A save writes a temporary folder beside the target and renames it into
 * place, so readers never see a half-written checkpoint.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ApronError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import {
  adamIndexSchema,
  packAdam,
  pack,
  readFloats,
  sliceEntry,
  tensorEntrySchema,
  writeCheckpointFolder,
  type AdamInternals,
  type NamedValues,
  type TensorEntry,
} from '../checkpoint-files.js';
import { Encoder, parameterSpecs } from '../encoder.js';
import { LogitScales } from '../objectives/clip.js';
import { createOptimizer } from '../optimizer.js';
import { PointNetEncoder, pointNetParameterSpecs } from '../pointnet.js';
import { bevEncoderConfigOf, imageEncoderConfigOf, parseCrossModalConfig, partnerOf, pointNetConfigOf, type CrossModalConfig } from './config.js';
import { CAMERA, trainableVariables, type CrossModalState } from './trainer.js';

const log = createLogger('checkpoint');

export const CROSSMODAL_CHECKPOINT_FORMAT = 'apron-crossmodal-checkpoint';
export const CROSSMODAL_CHECKPOINT_VERSION = 1;
export const CROSSMODAL_INDEX_FILE = 'crossmodal-checkpoint.json';
const WEIGHTS_FILE = 'weights.bin';
const OPTIMIZER_FILE = 'optimizer.bin';

/** Returns the checkpoint name of the run's log logit scale, one per pair of modalities. */
function logitScaleName(config: CrossModalConfig): string {
  return `logit-scale/${LogitScales.keyOf(CAMERA, partnerOf(config))}`;
}

const indexSchema = z.object({
  format: z.literal(CROSSMODAL_CHECKPOINT_FORMAT),
  version: z.literal(CROSSMODAL_CHECKPOINT_VERSION),
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
    })
    .optional(),
});

export type CrossModalCheckpointIndex = z.infer<typeof indexSchema>;

/** Returns the checkpoint names of the trainable variables, in the optimizer's order. */
function checkpointNames(state: CrossModalState): string[] {
  return [
    ...[...state.imageEncoder.variables.keys()].map((name) => `image/${name}`),
    ...[...state.partnerEncoder.variables.keys()].map((name) => `${partnerOf(state.config)}/${name}`),
    logitScaleName(state.config),
  ];
}

/** Saves `state` into `dir` atomically, replacing a checkpoint already there, and returns the absolute path. */
export async function saveCrossModalCheckpoint(dir: string, state: CrossModalState, options: { backend?: string } = {}): Promise<string> {
  const target = resolve(dir);
  const names = checkpointNames(state);
  const variables = trainableVariables(state);
  const weightItems: NamedValues[] = [];
  for (const [position, variable] of variables.entries()) {
    weightItems.push({ name: names[position]!, shape: variable.shape, values: (await variable.data()) as Float32Array });
  }
  const weights = pack(weightItems);
  const optimizer = await packAdam(state.optimizer, names, variables);

  const index: CrossModalCheckpointIndex = {
    format: CROSSMODAL_CHECKPOINT_FORMAT,
    version: CROSSMODAL_CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    step: state.step,
    config: state.config,
    weights: weights.entries,
    optimizer: optimizer?.index ?? null,
  };
  if (options.backend !== undefined) index.backend = options.backend;
  if (state.sampler !== undefined) index.sampler = state.sampler;

  const files = [
    { name: WEIGHTS_FILE, data: weights.data },
    { name: OPTIMIZER_FILE, data: optimizer?.data ?? new Float32Array(0) },
  ];
  writeCheckpointFolder(target, files, { name: CROSSMODAL_INDEX_FILE, json: index }, 'cross-modal checkpoint');
  log.info(`saved cross-modal checkpoint at step ${state.step} to ${target}`);
  return target;
}

function damaged(root: string, problem: string): ApronError {
  return new ApronError('unreadable-file', `Cross-modal checkpoint ${root} is damaged: ${problem}`, {
    path: root,
    hint: 'Train again, or restore the checkpoint folder from a backup.',
  });
}

function slice(data: Float32Array, entry: TensorEntry, file: string, root: string): Float32Array {
  return sliceEntry(data, entry, file, (problem) => damaged(root, problem));
}

/** Returns the weights of one encoder, checked against its parameter specs, keyed by parameter name. */
function encoderWeights(
  root: string,
  entries: Map<string, TensorEntry>,
  data: Float32Array,
  prefix: string,
  specs: { name: string; shape: number[] }[],
): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const spec of specs) {
    const entry = entries.get(`${prefix}/${spec.name}`);
    if (entry === undefined || entry.shape.join('x') !== spec.shape.join('x')) {
      throw damaged(root, `it has no parameter ${prefix}/${spec.name} of shape ${spec.shape.join('x')}`);
    }
    weights.set(spec.name, slice(data, entry, WEIGHTS_FILE, root));
  }
  return weights;
}

/** Loads a cross-modal checkpoint folder into fresh encoders, logit scale and optimizer, ready to embed or to resume. */
export async function loadCrossModalCheckpoint(dir: string): Promise<{ dir: string; index: CrossModalCheckpointIndex; state: CrossModalState }> {
  const root = resolve(dir);
  const indexPath = join(root, CROSSMODAL_INDEX_FILE);
  if (!existsSync(indexPath)) {
    throw new ApronError('not-found', `No cross-modal checkpoint in ${root} (${CROSSMODAL_INDEX_FILE} is missing)`, {
      path: root,
      hint: 'Point at the checkpoint folder of a cross-modal run; an interrupted save leaves no index.',
    });
  }

  let index: CrossModalCheckpointIndex;
  let weightData: Float32Array;
  let optimizerData: Float32Array;
  try {
    index = indexSchema.parse(JSON.parse(readFileSync(indexPath, 'utf8')));
    weightData = readFloats(join(root, WEIGHTS_FILE));
    optimizerData = readFloats(join(root, OPTIMIZER_FILE));
  } catch (error) {
    throw new ApronError('unreadable-file', `Cross-modal checkpoint ${root} is unreadable: ${(error as Error).message}`, {
      path: root,
      hint: 'The checkpoint is damaged or from another version of Apron; train again or restore it from a backup.',
      cause: error,
    });
  }

  const config = parseCrossModalConfig(index.config);
  const entries = new Map(index.weights.map((entry) => [entry.name, entry]));
  const imageWeights = encoderWeights(root, entries, weightData, 'image', parameterSpecs(imageEncoderConfigOf(config)));
  const partner = partnerOf(config);
  const partnerSpecs = partner === 'lidar' ? pointNetParameterSpecs(pointNetConfigOf(config)) : parameterSpecs(bevEncoderConfigOf(config));
  const partnerWeights = encoderWeights(root, entries, weightData, partner, partnerSpecs);
  const scaleName = logitScaleName(config);
  const scaleEntry = entries.get(scaleName);
  if (scaleEntry === undefined) throw damaged(root, `it has no ${scaleName}`);
  const logScale = slice(weightData, scaleEntry, WEIGHTS_FILE, root)[0];
  if (logScale === undefined || !Number.isFinite(logScale)) throw damaged(root, `${scaleName} is not a finite number`);

  const logitScales = new LogitScales();
  const scaleVariable = logitScales.get(CAMERA, partner).variable;
  tf.tidy(() => scaleVariable.assign(tf.scalar(logScale)));
  const state: CrossModalState = {
    config,
    imageEncoder: Encoder.create(imageEncoderConfigOf(config), { weights: imageWeights }),
    partnerEncoder:
      partner === 'lidar'
        ? PointNetEncoder.create(pointNetConfigOf(config), { weights: partnerWeights })
        : Encoder.create(bevEncoderConfigOf(config), { weights: partnerWeights }),
    logitScales,
    optimizer: createOptimizer(config.learningRate),
    step: index.step,
    sampler: index.sampler,
  };

  if (index.optimizer !== null) {
    try {
      await restoreOptimizer(state, index.optimizer, optimizerData, root);
    } catch (error) {
      state.imageEncoder.dispose();
      state.partnerEncoder.dispose();
      state.logitScales.dispose();
      state.optimizer.dispose();
      throw error;
    }
  }
  return { dir: root, index, state };
}

async function restoreOptimizer(state: CrossModalState, saved: NonNullable<CrossModalCheckpointIndex['optimizer']>, data: Float32Array, root: string): Promise<void> {
  const names = checkpointNames(state);
  const variables = trainableVariables(state);
  const named: { name: string; tensor: tf.Tensor }[] = [{ name: 'iter', tensor: tf.scalar(saved.iterations, 'int32') }];
  try {
    for (const [kind, list] of [['m', saved.firstMoments], ['v', saved.secondMoments]] as const) {
      if (list.length !== names.length) throw damaged(root, `it has ${list.length} optimizer ${kind} moments for ${names.length} variables`);
      list.forEach((entry, position) => {
        if (entry.name !== `${names[position]!}/${kind}`) {
          throw damaged(root, `optimizer moment ${entry.name} does not match variable ${names[position]!}`);
        }
        named.push({ name: `${variables[position]!.name}/${kind}`, tensor: tf.tensor(slice(data, entry, OPTIMIZER_FILE, root), entry.shape) });
      });
    }
    await state.optimizer.setWeights(named);
  } finally {
    // setWeights makes variables that share these tensors' data, so the tensors themselves can go.
    tf.dispose(named.map((item) => item.tensor));
  }

  const internals = state.optimizer as unknown as AdamInternals;
  if (Number.isFinite(saved.beta1Power) && internals.accBeta1 !== undefined) internals.accBeta1.assign(tf.scalar(saved.beta1Power));
  if (Number.isFinite(saved.beta2Power) && internals.accBeta2 !== undefined) internals.accBeta2.assign(tf.scalar(saved.beta2Power));
}
