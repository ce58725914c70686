/**
 * A reusable barrier and a gradient all-reduce over shared memory, for replica workers that block
 * inside a synchronous gradient function (Atomics.wait is allowed in Node worker threads, not on
 * the main thread).
 */
import { ApronError } from '../../core/errors.js';
import { CONTROL_ABORTED, CONTROL_ARRIVED, CONTROL_GENERATION } from './protocol.js';

/**
 * Blocks until `parties` workers have called it with the same control array, then returns in all
 * of them. The last to arrive resets the count before it advances the generation, so the barrier
 * can be used again at once.
 *
 * Throws when the control array's aborted flag is set (another worker failed or the stepper was
 * disposed) or after `timeoutMs` without the others.
 */
export function arriveAndWait(control: Int32Array, parties: number, timeoutMs: number): void {
  if (parties <= 1) return;
  const generation = Atomics.load(control, CONTROL_GENERATION);
  if (Atomics.add(control, CONTROL_ARRIVED, 1) === parties - 1) {
    Atomics.store(control, CONTROL_ARRIVED, 0);
    Atomics.add(control, CONTROL_GENERATION, 1);
    Atomics.notify(control, CONTROL_GENERATION);
    return;
  }

  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(control, CONTROL_GENERATION) === generation) {
    if (Atomics.load(control, CONTROL_ABORTED) !== 0) {
      throw new ApronError('cancelled', 'The data-parallel step was aborted because another replica worker failed or the stepper was disposed');
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      throw new ApronError('internal', `A replica worker timed out after ${timeoutMs} ms waiting for the other worker at the step barrier`, {
        hint: 'Another replica worker stopped responding; dispose the stepper and create a new one.',
      });
    }
    Atomics.wait(control, CONTROL_GENERATION, generation, remaining);
  }
}

/** Sets the aborted flag and wakes every worker waiting at the barrier, which then throws. */
export function abortBarrier(control: Int32Array): void {
  Atomics.store(control, CONTROL_ABORTED, 1);
  Atomics.notify(control, CONTROL_GENERATION);
}

/**
 * Sums the `slots` equal-length slots of `shared` into `out`, slot 0 first. Every worker adds in
 * the same order, so all of them get bit-identical sums and their replicas stay identical.
 */
export function sumSlots(shared: Float32Array, slots: number, out: Float32Array): void {
  const length = out.length;
  if (shared.length < slots * length) {
    throw new Error(`The shared gradient buffer has ${shared.length} floats, fewer than ${slots} x ${length}`);
  }
  out.set(shared.subarray(0, length));
  for (let slot = 1; slot < slots; slot++) {
    const offset = slot * length;
    for (let i = 0; i < length; i++) out[i] = out[i]! + shared[offset + i]!;
  }
}

/** Splits `views` rows into `workers` contiguous blocks whose sizes differ by at most one, larger blocks first. */
export function splitRows(views: number, workers: number): Array<{ start: number; end: number }> {
  const blocks: Array<{ start: number; end: number }> = [];
  const base = Math.floor(views / workers);
  const extra = views % workers;
  let start = 0;
  for (let rank = 0; rank < workers; rank++) {
    const end = start + base + (rank < extra ? 1 : 0);
    blocks.push({ start, end });
    start = end;
  }
  return blocks;
}
