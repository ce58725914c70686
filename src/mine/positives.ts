/**
 * The positives a training run used, which decide which other pairs it treated as negatives.
 *
 * - `temporal`: the positive of a sample is another sample of the same sequence at most
 *   `windowSeconds` away, so every such pair is a positive, never a negative.
 * - `augment`: the positive is an augmented view of the sample itself, so every pair of two
 *   different samples can be a negative.
 * - `place`: the positive is a sample of the same `placeId` from another sequence, which trains
 *   recognition of a place across conditions (summer against winter, day against night). Every
 *   pair of samples of one place is a positive, never a negative.
 */
import { z } from 'zod';
import type { Sample } from '../dataset/manifest.js';

export const positivesSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('temporal'),
    /** Largest time between an anchor and its positive, in seconds (same sequence). */
    windowSeconds: z.number().positive().max(3600),
  }),
  z.object({ kind: z.literal('augment') }),
  z.object({ kind: z.literal('place') }),
]);

export type Positives = z.infer<typeof positivesSchema>;

/** True when training used (a, b) as a positive pair. The window is inclusive. */
export function isPositivePair(a: Sample, b: Sample, positives: Positives): boolean {
  if (positives.kind === 'augment') return false;
  if (positives.kind === 'place') return a.placeId !== undefined && a.placeId === b.placeId;
  if (a.sequenceId !== b.sequenceId) return false;
  return Math.abs(secondsBetween(a, b)) <= positives.windowSeconds;
}

/** Timestamp of `b` minus that of `a`, in seconds, computed on the integer nanoseconds to keep precision. */
export function secondsBetween(a: Sample, b: Sample): number {
  return Number(b.timestampNs - a.timestampNs) / 1e9;
}
