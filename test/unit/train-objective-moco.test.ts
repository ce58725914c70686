import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/train/backend.js';
import { encoderConfigOf, parseRunConfig, type RunConfigInput } from '../../src/train/config.js';
import { Encoder } from '../../src/train/encoder.js';
import { disposeTrainingState, train, type TrainProgress } from '../../src/train/trainer.js';
import { syntheticDrive, TINY_CONFIG } from './train-fixtures.js';

const drive = syntheticDrive({ sequences: 3, framesPerSequence: 40, size: 32 });
const MOMENTUM = 0.9;
const CONFIG: RunConfigInput = { ...TINY_CONFIG, objective: { kind: 'moco', queueSize: 20, momentum: MOMENTUM } };

async function readVariables(variables: ReadonlyMap<string, { data(): Promise<unknown> }>): Promise<Map<string, Float32Array>> {
  const values = new Map<string, Float32Array>();
  for (const [name, variable] of variables) values.set(name, Float32Array.from((await variable.data()) as Float32Array));
  return values;
}

/** Checks key = m * before + (1 - m) * query, in float32 as the kernels compute it: each product and the sum rounded. */
function expectMovingAverage(before: Map<string, Float32Array>, query: Map<string, Float32Array>, key: Map<string, Float32Array>): void {
  const m = Math.fround(MOMENTUM);
  const oneMinusM = Math.fround(1 - MOMENTUM);
  expect([...key.keys()]).toEqual([...before.keys()]);
  for (const [name, values] of before) {
    const q = query.get(name)!;
    const expected = values.map((k, i) => Math.fround(Math.fround(k * m) + Math.fround(q[i]! * oneMinusM)));
    expect(key.get(name), name).toEqual(expected);
  }
}

describe('moco training', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('moves the key encoder by the moving average only', async () => {
    const config = parseRunConfig({ ...CONFIG, steps: 1 });
    // The key encoder starts as a copy of the query encoder, whose first weights come from the seed.
    const initial = Encoder.create(encoderConfigOf(config), { seed: config.seed });
    const startWeights = await initial.readWeights();
    initial.dispose();

    // Step 1 has an empty queue, so no negative and no gradient: the query keeps the seed's weights.
    const first = await train({ config, stack: drive.stack, samples: drive.samples });
    const moco = first.state.moco!;
    expect(await first.state.encoder.readWeights()).toEqual(startWeights);
    expectMovingAverage(startWeights, startWeights, await readVariables(moco.momentum.key));
    const keyBefore = await readVariables(moco.momentum.key);

    first.state.config = parseRunConfig({ ...CONFIG, steps: 2 });
    const result = await train({ config: first.state.config, stack: drive.stack, samples: drive.samples, resume: first.state });
    expect(result.losses[0]).toBeGreaterThan(0);
    const query = await result.state.encoder.readWeights();
    const key = await readVariables(moco.momentum.key);

    expectMovingAverage(keyBefore, query, key);
    let changed = 0;
    for (const [name, before] of keyBefore) if (query.get(name)!.some((value, i) => value !== before[i])) changed++;
    // Adam moved the query weights, so key and query differ and the check above is not trivial.
    expect(changed).toBeGreaterThan(0);

    // Adam keeps moments for the query encoder's variables and for nothing of the key encoder.
    const moments = (await result.state.optimizer.getWeights()).slice(1).map((entry) => entry.name);
    const keyNames = new Set([...moco.momentum.key.values()].map((variable) => variable.name));
    expect(moments).toHaveLength(2 * result.state.encoder.variables.size);
    expect(moments.filter((name) => keyNames.has(name.replace(/\/[mv]$/, '')))).toEqual([]);
    for (const variable of moco.momentum.key.values()) expect(variable.trainable).toBe(false);
    disposeTrainingState(result.state);
  });

  it('fills the queue at min(1, n B / Q)', async () => {
    const reports: TrainProgress[] = [];
    const result = await train({ config: { ...CONFIG, steps: 5 }, stack: drive.stack, samples: drive.samples, onProgress: (p) => reports.push(p) });
    // B = 8 keys per step into Q = 20 slots.
    expect(reports.map((report) => report.queueFilledFraction)).toEqual([0.4, 0.8, 1, 1, 1]);
    expect(result.state.moco!.queue.size).toBe(20);
    // The first step meets an empty queue: no negatives, so no monitors.
    expect(reports[0]!.monitors).toBeUndefined();
    expect(reports[0]!.rowsWithoutNegatives).toBe(8);
    expect(reports[4]!.monitors!.queueFilledFraction).toBe(1);
    disposeTrainingState(result.state);
  });

  it('masks queue keys of the same sequence', async () => {
    // Every frame of a synthetic sequence is within 30 s of every other (40 frames, 0.5 s apart),
    // so with 3 sequences a query may only meet keys of the 2 other sequences.
    const reports: TrainProgress[] = [];
    const config = { ...CONFIG, steps: 3, objective: { kind: 'moco' as const, queueSize: 20, momentum: MOMENTUM, queueMask: { sameSequenceWithinSeconds: 30 } } };
    const result = await train({ config, stack: drive.stack, samples: drive.samples, onProgress: (p) => reports.push(p) });
    const monitors = reports[2]!.monitors!;
    expect(monitors.maskedFraction).toBeGreaterThan(0);
    expect(monitors.maskedFraction).toBeLessThan(1);
    disposeTrainingState(result.state);
  });
});
