/**
 * Parsed manifests kept between API calls, keyed by path and checked against the file's
 * modification time and size, so an edited or re-imported manifest is read again.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MANIFEST_FILE_NAME, readManifest, type LoadedDataset } from '../dataset/manifest-io.js';

/**
 * Manifests kept at once. A parsed manifest costs memory in proportion to its samples (a
 * 100,000-sample manifest is tens of megabytes), and a session rarely switches between more
 * than a few datasets.
 */
const DEFAULT_CAPACITY = 4;

interface Entry {
  mtimeMs: number;
  size: number;
  dataset: LoadedDataset;
}

export class ManifestCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number = DEFAULT_CAPACITY) {}

  /** Returns the parsed manifest at `path`, read again when the file changed. Throws readManifest's errors. */
  get(path: string): LoadedDataset {
    const key = manifestFilePath(path);
    const stat = statOrUndefined(key);
    const cached = this.entries.get(key);
    if (cached !== undefined && stat !== undefined && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
      // Re-inserting moves the entry to the end, so the first entry is always the least recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.dataset;
    }

    // readManifest reports a missing file with a clear error, so no stat result is needed here.
    const dataset = readManifest(key);
    const fresh = statOrUndefined(dataset.manifestPath);
    this.entries.delete(key);
    if (fresh !== undefined) {
      this.entries.set(key, { mtimeMs: fresh.mtimeMs, size: fresh.size, dataset });
      this.evict();
    }
    return dataset;
  }

  clear(): void {
    this.entries.clear();
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }
}

/** Resolves `path` to the manifest file itself, `apron-manifest.json` inside it when it is a folder. */
function manifestFilePath(path: string): string {
  const absolute = resolve(path);
  try {
    return statSync(absolute).isDirectory() ? join(absolute, MANIFEST_FILE_NAME) : absolute;
  } catch {
    return absolute;
  }
}

function statOrUndefined(path: string): { mtimeMs: number; size: number } | undefined {
  try {
    const stat = statSync(path);
    return stat.isFile() ? { mtimeMs: stat.mtimeMs, size: stat.size } : undefined;
  } catch {
    return undefined;
  }
}

/** The cache that handlers and `resolveFileToken` share unless given their own. */
export const sharedManifestCache = new ManifestCache();
