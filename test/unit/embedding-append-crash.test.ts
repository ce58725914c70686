// An append replaces two files, the vectors and then the ids, each atomically but not together.
// These tests stop an append between the two renames, and between the files and the store, and
// check that the version reads as before and that running the append again completes it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { appendEmbeddings } from '../../src/loop/embedding-append.js';
import { idsPathFor, readEmbeddingFiles, writeEmbeddingFiles } from '../../src/loop/embedding-file.js';
import { openStore, type Store } from '../../src/store/index.js';

/** The path whose atomic write throws, as a crash at that point would stop the append. */
const crash = vi.hoisted(() => ({ path: null as string | null }));

vi.mock('../../src/core/fs.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/fs.js')>();
  return {
    ...original,
    writeFileAtomic(path: string, data: string | Uint8Array): void {
      if (path === crash.path) throw new Error(`stopped before writing ${path}`);
      original.writeFileAtomic(path, data);
    },
  };
});

const DIMENSION = 4;
const SAMPLES = 12;
const ids = Array.from({ length: SAMPLES }, (_, index) => `s${index}`);
/** Unit rows, so that the append's normalisation leaves them as they are. */
const vectors = new Float32Array(SAMPLES * DIMENSION).map((_, index) => (index % DIMENSION === Math.floor(index / DIMENSION) % DIMENSION ? 1 : 0));

let folder: string;
let workspace: Workspace;
let store: Store;
let vectorsPath: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'apron-append-crash-'));
  workspace = openWorkspace(join(folder, 'ws'));
  const manifest = {
    format: 'apron-manifest',
    version: 1,
    name: 'Stand 4',
    root: '.',
    conditionFields: [],
    samples: ids.map((sampleId, index) => ({
      sampleId,
      sequenceId: 'drive-a',
      timestampNs: String(index * 1e9),
      cameras: [{ name: 'front', path: `cam/${sampleId}.png` }],
    })),
  } as ManifestInput;
  const manifestPath = writeManifest(join(workspace.datasetsDir, 'stand-4', 'apron-manifest.json'), manifest);
  store = openStore(':memory:');
  store.addDataset({ datasetId: 'stand-4', name: 'Stand 4', importer: null, manifestPath, root: folder, sampleCount: SAMPLES });

  vectorsPath = join(workspace.embeddingsDir, 'emb-crash.f32');
  writeEmbeddingFiles(vectorsPath, { sampleIds: ids.slice(0, 6), dimension: DIMENSION, vectors: vectors.slice(0, 6 * DIMENSION) });
  store.addEmbeddingVersion({ embeddingVersionId: 'emb-crash', datasetId: 'stand-4', vectorsPath, dimension: DIMENSION, count: 6 });
});

afterAll(() => {
  store.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('an append that stopped', () => {
  it('between the vectors and the ids reads as the version before it', () => {
    crash.path = idsPathFor(vectorsPath);
    expect(() => appendEmbeddings(store, 'emb-crash', ids.slice(6, 10), vectors.slice(6 * DIMENSION, 10 * DIMENSION))).toThrow(/stopped before writing/);
    crash.path = null;

    // The vectors file already contains the four new rows, but the ids do not name them.
    expect(readFileSync(vectorsPath).byteLength).toBe(10 * DIMENSION * 4);
    const read = readEmbeddingFiles(vectorsPath);
    expect(read.sampleIds).toEqual(ids.slice(0, 6));
    expect(Array.from(read.vectors)).toEqual(Array.from(vectors.slice(0, 6 * DIMENSION)));
    expect(store.getEmbeddingVersion('emb-crash').count).toBe(6);
  });

  it('completes when run again', () => {
    const result = appendEmbeddings(store, 'emb-crash', ids.slice(6, 10), vectors.slice(6 * DIMENSION, 10 * DIMENSION));

    expect(result.added).toBe(4);
    expect(store.getEmbeddingVersion('emb-crash').count).toBe(10);
    const read = readEmbeddingFiles(vectorsPath);
    expect(read.sampleIds).toEqual(ids.slice(0, 10));
    expect(Array.from(read.vectors)).toEqual(Array.from(vectors.slice(0, 10 * DIMENSION)));
  });

  it('between the files and the store', () => {
    // The files hold 10 rows; a crash before the store's update would have left the count at 6.
    // The next append counts the rows from the files.
    store.setEmbeddingVersionCount('emb-crash', 6);

    const result = appendEmbeddings(store, 'emb-crash', ids.slice(10), vectors.slice(10 * DIMENSION));

    expect(result.added).toBe(2);
    expect(result.version.count).toBe(12);
    expect(readEmbeddingFiles(vectorsPath).sampleIds).toEqual(ids);
  });

  it('still rejects a vectors file cut inside a row', () => {
    const cut = join(workspace.embeddingsDir, 'emb-cut.f32');
    writeEmbeddingFiles(cut, { sampleIds: ids.slice(0, 2), dimension: DIMENSION, vectors: vectors.slice(0, 2 * DIMENSION) });
    // Three and a half rows: more than the ids describe, but not whole rows.
    writeFileSync(cut, new Uint8Array(3.5 * DIMENSION * 4));

    expect(() => readEmbeddingFiles(cut)).toThrow(/has 56 bytes, expected 32/);
  });
});
