/**
 * Choose the TensorFlow.js backend for training and embedding: the best one that loads, in the
 * order tfjs-node-gpu, tfjs-node, wasm, cpu.
 *
 * The native backends are optional packages. Their install step downloads libtensorflow from
 * outside the package registry, and where that fails the package is missing or half installed: a
 * half-installed tfjs-node throws a plain Error without a `code` on import, so every import error
 * counts as "not available". On wasm this module installs the kernel fixes of wasm-fixes.ts and
 * runs on one thread: a process trains on one core, and parallel work uses worker threads.
 *
 * Gradients come from the full `@tensorflow/tfjs` package: tfjs-core's Node bundle registers none
 * (`tf.grad` fails with "gradient function not found for Sum"), and importing the full package
 * registers them all with the one deduplicated copy of tfjs-core.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { installWasmFixes } from './wasm-fixes.js';

const log = createLogger('train');

export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendAttempt {
  backend: BackendName;
  loaded: boolean;
  /** The first line of the load error, when the backend did not load. */
  error?: string;
}

export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** The engine's name for it (`tensorflow`, `wasm` or `cpu`), as `tf.getBackend()` returns. */
  engineName: string;
  /** Every backend tried, in order, up to and including the chosen one. */
  attempts: BackendAttempt[];
  /** Kernels replaced by wasm-fixes.ts; empty on other backends. */
  replacedKernels: string[];
}

export interface BackendOptions {
  /** A backend to try first, one of BACKEND_NAMES; the others follow in the default order. */
  preferred?: string;
  /** Loads a package by name; `import()` unless a test replaces it. */
  importModule?: (name: string) => Promise<unknown>;
}

const NATIVE_PACKAGES: Partial<Record<BackendName, string>> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

const GRADIENTS_PACKAGE = '@tensorflow/tfjs';

let chosen: Promise<BackendInfo> | undefined;

/**
 * Pick and initialise the backend once per process. Idempotent: later calls return the first
 * call's result, whatever they prefer. A failed call is not cached, so a later call tries again.
 */
export function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  if (chosen === undefined) {
    const attempt = chooseBackend(options);
    chosen = attempt;
    attempt.catch(() => {
      if (chosen === attempt) chosen = undefined;
    });
  }
  return chosen;
}

/** Try the backends in order and activate the first that loads; uncached, see `initBackend`. */
export async function chooseBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const importModule = options.importModule ?? ((name: string) => import(name));
  const order = orderOfTrial(options.preferred);
  await registerGradients(importModule);

  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const engineName = await loadBackend(name, importModule);
      attempts.push({ backend: name, loaded: true });
      const replacedKernels = name === 'wasm' ? installWasmFixes() : [];
      logChoice(name, attempts);
      return { name, engineName, attempts, replacedKernels };
    } catch (error) {
      const message = firstLine(error);
      attempts.push({ backend: name, loaded: false, error: message });
      log.debug(`backend ${name} did not load: ${message}`);
    }
  }

  const reasons = attempts.map((attempt) => `${attempt.backend}: ${attempt.error ?? 'failed'}`).join('; ');
  throw new ApronError('backend-unavailable', `No TensorFlow.js backend could be initialised (${reasons})`, {
    hint: 'Reinstall the dependencies with `npm install`; the wasm and cpu backends ship with Apron.',
  });
}

function orderOfTrial(preferred: string | undefined): BackendName[] {
  if (preferred === undefined) return [...BACKEND_NAMES];
  const known = BACKEND_NAMES.find((name) => name === preferred);
  if (known === undefined) {
    throw new ApronError('invalid-input', `Unknown TensorFlow.js backend "${preferred}"`, {
      hint: `Use one of ${BACKEND_NAMES.join(', ')}, or leave the backend unset to pick the best one that loads.`,
    });
  }
  return [known, ...BACKEND_NAMES.filter((name) => name !== known)];
}

async function registerGradients(importModule: (name: string) => Promise<unknown>): Promise<void> {
  try {
    await importModule(GRADIENTS_PACKAGE);
  } catch (error) {
    throw new ApronError('backend-unavailable', `Cannot load ${GRADIENTS_PACKAGE}, which provides the gradients for training: ${firstLine(error)}`, {
      hint: 'Reinstall the dependencies with `npm install`.',
      cause: error,
    });
  }
  if (tf.getGradient('Conv2D') === undefined) {
    throw new ApronError('backend-unavailable', `${GRADIENTS_PACKAGE} loaded but registered no gradients with this copy of @tensorflow/tfjs-core`, {
      hint: 'Install matching versions of @tensorflow/tfjs and @tensorflow/tfjs-core (npm ls @tensorflow/tfjs-core shows the copies).',
    });
  }
}

/** Load and activate one backend; returns the engine's name for it, or throws why it failed. */
async function loadBackend(name: BackendName, importModule: (name: string) => Promise<unknown>): Promise<string> {
  const packageName = NATIVE_PACKAGES[name];
  if (packageName !== undefined) {
    await importModule(packageName);
    // The native package registers `tensorflow` with the copy of tfjs-core it resolves. Unless npm
    // deduplicated that copy with ours, this engine has no such backend.
    if (!tf.findBackendFactory('tensorflow')) {
      throw new Error(`${packageName} loaded but registered no "tensorflow" backend with this copy of @tensorflow/tfjs-core`);
    }
    return activate('tensorflow');
  }

  if (name === 'wasm') {
    // One thread per process: the threaded build would compete with other workers for the cores.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
    return activate('wasm');
  }
  return activate('cpu');
}

async function activate(engineName: string): Promise<string> {
  const ok = await tf.setBackend(engineName);
  if (!ok) throw new Error(`tf.setBackend("${engineName}") returned false`);
  await tf.ready();
  return engineName;
}

function logChoice(name: BackendName, attempts: BackendAttempt[]): void {
  const skipped = attempts.filter((attempt) => !attempt.loaded).map((attempt) => `${attempt.backend} (${attempt.error ?? 'failed'})`);
  if (skipped.length > 0) log.debug(`TensorFlow.js backends not available: ${skipped.join('; ')}`);
  // The native backends are optional packages; naming the faster one is more use than its load error.
  const faster = name === 'wasm' || name === 'cpu' ? ' (@tensorflow/tfjs-node, where it installs, trains faster)' : '';
  log.info(`TensorFlow.js backend: ${name}${faster}`);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
