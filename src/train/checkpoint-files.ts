/**
 * The file layout that every checkpoint folder shares. Float32 tensors are packed one after another
 * into `.bin` files and indexed by name, shape and offset in a JSON index, and Adam's state takes
 * the same form. A save writes a temporary folder and renames it into place.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ApronError } from '../core/errors.js';

export const tensorEntrySchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  /** Offset in float32 elements from the start of the binary file. */
  offset: z.number().int().nonnegative(),
});

export type TensorEntry = z.infer<typeof tensorEntrySchema>;

/** Adam's state in a checkpoint index. The moments themselves are in the optimizer file. */
export const adamIndexSchema = z.object({
  iterations: z.number().int().nonnegative(),
  /** Adam's running products beta1^(t+1) and beta2^(t+1), kept exactly for bit-identical resumes. */
  beta1Power: z.number(),
  beta2Power: z.number(),
  firstMoments: z.array(tensorEntrySchema),
  secondMoments: z.array(tensorEntrySchema),
});

export type AdamIndex = z.infer<typeof adamIndexSchema>;

export interface NamedValues {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Adam's private running products, read and restored so that a resume is bit-identical. */
export interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

/** Packs tensors' values one after another into one float32 buffer, returning the index entries. */
export function pack(items: NamedValues[]): { entries: TensorEntry[]; data: Float32Array } {
  const data = new Float32Array(items.reduce((sum, item) => sum + item.values.length, 0));
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const item of items) {
    data.set(item.values, offset);
    entries.push({ name: item.name, shape: item.shape, offset });
    offset += item.values.length;
  }
  return { entries, data };
}

export function toBytes(data: Float32Array): Uint8Array {
  // Float32Array uses the platform's byte order, and every platform Node supports is little-endian.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Packs Adam's moments under `names` (one per trainable variable, in the optimizer's order), or
 * returns undefined before the optimizer's first step, when it has no moments yet.
 */
export async function packAdam(
  optimizer: tf.AdamOptimizer,
  names: readonly string[],
  variables: readonly tf.Variable[],
): Promise<{ index: AdamIndex; data: Float32Array } | undefined> {
  const saved = await optimizer.getWeights();
  const iterationsEntry = saved[0];
  const moments = saved.slice(1);
  if (iterationsEntry === undefined || moments.length === 0) return undefined;
  if (moments.length !== 2 * names.length) {
    throw new Error(`Adam has ${moments.length / 2} moment pairs but the run has ${names.length} trainable variables`);
  }

  const items: NamedValues[] = [];
  for (const [position, moment] of moments.entries()) {
    const parameter = position % names.length;
    const kind = position < names.length ? 'm' : 'v';
    // Adam names moments after their variable, so a mismatch means its order differs from ours.
    if (moment.name !== `${variables[parameter]!.name}/${kind}`) {
      throw new Error(`Adam moment ${moment.name} is not in the run's variable order`);
    }
    items.push({ name: `${names[parameter]!}/${kind}`, shape: moment.tensor.shape, values: (await moment.tensor.data()) as Float32Array });
  }

  const packed = pack(items);
  const internals = optimizer as unknown as AdamInternals;
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

/**
 * Writes `files` and then the index into a temporary folder beside `target`, and renames it into
 * place, so readers never see a half-written checkpoint. `label` names the kind of checkpoint in errors.
 */
export function writeCheckpointFolder(target: string, files: { name: string; data: Float32Array }[], index: { name: string; json: unknown }, label: string): void {
  const temporary = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(temporary, { recursive: true });
    for (const file of files) writeFileSync(join(temporary, file.name), toBytes(file.data));
    // The index goes last, so a folder with an index has all its files.
    writeFileSync(join(temporary, index.name), JSON.stringify(index.json, null, 2) + '\n');
    replaceFolder(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw new ApronError('unreadable-file', `Failed to write ${label} ${target}: ${(error as Error).message}`, {
      path: target,
      hint: 'Check that the folder is writable and the disk has space.',
      cause: error,
    });
  }
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

export function readFloats(path: string): Float32Array {
  const bytes = readFileSync(path);
  if (bytes.byteLength % 4 !== 0) throw new Error(`${path} is ${bytes.byteLength} bytes, not a whole number of float32 values`);
  // Copy into an aligned buffer, because a Buffer's offset into Node's pool need not be a multiple of 4.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** Returns a copy of one indexed tensor's values, or throws what `damaged` builds when it runs past the file. */
export function sliceEntry(data: Float32Array, entry: TensorEntry, file: string, damaged: (problem: string) => Error): Float32Array {
  const size = entry.shape.reduce((product, dim) => product * dim, 1);
  if (entry.offset + size > data.length) throw damaged(`${entry.name} runs past the end of ${file}`);
  return data.slice(entry.offset, entry.offset + size);
}
