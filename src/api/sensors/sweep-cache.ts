/**
 * Decoded LiDAR sweeps of recently viewed samples. A pair view requests each sweep several times
 * (the points, then one projection per camera), and decoding an LZF-compressed PCD costs more than
 * the request itself, so the last few sweeps stay in memory.
 */
import { statSync } from 'node:fs';
import { READER_FORMAT } from '../../dataset/importers/check-sensor-files.js';
import type { LidarFile } from '../../dataset/manifest.js';
import { readPointCloudFile } from '../../sensors/lidar/read-file.js';
import type { PointCloud } from '../../sensors/lidar/point-cloud.js';

/** Two pairs of samples with a few sweeps each; a 120k-point sweep takes about 2.4 MB. */
const CAPACITY = 12;

const sweeps = new Map<string, Promise<PointCloud>>();

/** Reads the sweep at `realPath` (already checked to lie inside the dataset), or returns the cached copy. */
export function readSweep(realPath: string, file: LidarFile): Promise<PointCloud> {
  // The size and modification time are part of the key, so a file replaced on disk is read again.
  const stats = statSync(realPath);
  const key = `${realPath}\0${file.format}\0${stats.size}\0${stats.mtimeMs}`;

  const cached = sweeps.get(key);
  if (cached !== undefined) {
    // Re-inserting moves the entry to the end, which makes the map's order least recently used first.
    sweeps.delete(key);
    sweeps.set(key, cached);
    return cached;
  }

  const reading = readPointCloudFile(realPath, READER_FORMAT[file.format]);
  // A failed read is not kept, so that a file fixed on disk is read again on the next request.
  reading.catch(() => sweeps.delete(key));
  sweeps.set(key, reading);
  while (sweeps.size > CAPACITY) {
    const oldest = sweeps.keys().next().value;
    if (oldest === undefined) break;
    sweeps.delete(oldest);
  }
  return reading;
}
