/**
 * Adam's state of a replica, keyed by the encoder's parameter names, so that it can leave a worker
 * for a checkpoint and seed new replicas that continue where a run stopped.
 *
 * TensorFlow.js 4.22 names each moment after its variable (`encoder3/conv1/kernel/m`), and the
 * variable names carry a per-encoder prefix, so the state is re-keyed by parameter name here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ApronError } from '../../core/errors.js';

export interface AdamState {
  /** Steps Adam has taken. */
  iterations: number;
  /** beta1^t and beta2^t as Adam stores them for its bias correction. */
  beta1Power: number;
  beta2Power: number;
  /** First and second moments by parameter name. */
  firstMoments: Map<string, Float32Array>;
  secondMoments: Map<string, Float32Array>;
}

/** The moment variables of tf.AdamOptimizer, which setWeights replaces. */
interface AdamMoments {
  accumulatedFirstMoment?: { variable: tf.Variable }[];
  accumulatedSecondMoment?: { variable: tf.Variable }[];
}

/** The fields of tf.AdamOptimizer that store beta1^t and beta2^t, which getWeights does not return. */
interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

/**
 * Reads Adam's state, or returns undefined before its first step (it creates its moments then).
 * `parameters` maps each parameter name to its variable, in parameter order.
 */
export async function readAdamState(optimizer: tf.AdamOptimizer, parameters: Map<string, tf.Variable>): Promise<AdamState | undefined> {
  const weights = await optimizer.getWeights();
  const iterationsEntry = weights[0];
  const moments = weights.slice(1);
  if (iterationsEntry === undefined || moments.length === 0) return undefined;

  const byVariableName = new Map(moments.map((moment) => [moment.name, moment.tensor]));
  const firstMoments = new Map<string, Float32Array>();
  const secondMoments = new Map<string, Float32Array>();
  for (const [name, variable] of parameters) {
    const first = byVariableName.get(`${variable.name}/m`);
    const second = byVariableName.get(`${variable.name}/v`);
    if (first === undefined || second === undefined) throw new Error(`Adam has no moments for parameter ${name}`);
    firstMoments.set(name, (await first.data()) as Float32Array);
    secondMoments.set(name, (await second.data()) as Float32Array);
  }

  const internals = optimizer as unknown as AdamInternals;
  const iterations = (await iterationsEntry.tensor.data())[0] ?? 0;
  tf.dispose(iterationsEntry.tensor);
  return {
    iterations,
    beta1Power: internals.accBeta1 === undefined ? Number.NaN : ((await internals.accBeta1.data())[0] ?? Number.NaN),
    beta2Power: internals.accBeta2 === undefined ? Number.NaN : ((await internals.accBeta2.data())[0] ?? Number.NaN),
    firstMoments,
    secondMoments,
  };
}

/** Loads a saved state into a fresh Adam optimizer whose parameters have the same names and shapes. */
export async function restoreAdamState(optimizer: tf.AdamOptimizer, state: AdamState, parameters: Map<string, tf.Variable>): Promise<void> {
  const named: { name: string; tensor: tf.Tensor }[] = [{ name: 'iter', tensor: tf.scalar(state.iterations, 'int32') }];
  try {
    for (const [kind, moments] of [['m', state.firstMoments], ['v', state.secondMoments]] as const) {
      for (const [name, variable] of parameters) {
        const values = moments.get(name);
        if (values === undefined || values.length !== variable.size) {
          throw new ApronError('invalid-input', `The saved Adam state is missing the ${kind} moment (${variable.size} values) of parameter ${name}`, {
            hint: 'Pass the Adam state saved with these weights and this encoder configuration, or leave it out to start Adam afresh.',
          });
        }
        named.push({ name: `${variable.name}/${kind}`, tensor: tf.tensor(values, variable.shape, 'float32') });
      }
    }
    // setWeights replaces the moment variables without disposing the old ones. Without this, a run
    // that syncs its state before every checkpoint leaks two copies of the weights each time.
    const previous = optimizer as unknown as AdamMoments;
    tf.dispose([...(previous.accumulatedFirstMoment ?? []), ...(previous.accumulatedSecondMoment ?? [])].map((moment) => moment.variable));
    await optimizer.setWeights(named);
  } finally {
    // The variables that setWeights creates keep their own reference to this data, so the tensors can go.
    tf.dispose(named.map((item) => item.tensor));
  }

  // setWeights derives beta^t from the step count. The saved powers are the values the run really used.
  const internals = optimizer as unknown as AdamInternals;
  tf.tidy(() => {
    if (Number.isFinite(state.beta1Power)) internals.accBeta1?.assign(tf.scalar(state.beta1Power));
    if (Number.isFinite(state.beta2Power)) internals.accBeta2?.assign(tf.scalar(state.beta2Power));
  });
}
