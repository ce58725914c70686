/**
 * The main object class of a sample, which hard-negative mining compares.
 *
 * Boxes are in the site frame, not in image coordinates, so "the object nearest the image centre"
 * cannot be read without a camera projection. The main class is therefore the class that most of
 * the sample's objects have. A tie goes to the class with the larger summed box volume (objects
 * without a box add nothing), then to the alphabetically first class, so the choice is stable.
 */
import type { Sample } from '../dataset/manifest.js';

/** Returns the sample's main class, or null when it lists no objects. */
export function mainClassOf(sample: Pick<Sample, 'objects'>): string | null {
  const objects = sample.objects ?? [];
  if (objects.length === 0) return null;

  const tally = new Map<string, { count: number; volume: number }>();
  for (const object of objects) {
    const entry = tally.get(object.class) ?? { count: 0, volume: 0 };
    entry.count += 1;
    if (object.box !== undefined) entry.volume += object.box.length * object.box.width * object.box.height;
    tally.set(object.class, entry);
  }

  let best: string | null = null;
  let bestEntry = { count: -1, volume: -1 };
  for (const [name, entry] of tally) {
    const better =
      entry.count > bestEntry.count ||
      (entry.count === bestEntry.count && entry.volume > bestEntry.volume) ||
      (entry.count === bestEntry.count && entry.volume === bestEntry.volume && best !== null && name < best);
    if (better) {
      best = name;
      bestEntry = entry;
    }
  }
  return best;
}
