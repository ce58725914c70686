import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { createApiHandlers } from '../../src/api/handlers.js';
import { appendEmbeddings } from '../../src/loop/embedding-append.js';
import { readEmbeddingFiles, writeEmbeddingFiles } from '../../src/loop/embedding-file.js';
import { importEmbeddings } from '../../src/loop/embedding-import.js';
import { mineQueue } from '../../src/loop/mine.js';
import { maskRulesSchema } from '../../src/mask/rules.js';
import { openVectorSearch } from '../../src/search/embedding-index.js';
import { HnswIndex, hnswPathFor, readHnswSidecar } from '../../src/search/hnsw.js';
import { openStore, type Store } from '../../src/store/index.js';
import { syntheticDrives } from './search-strategy-fixture.js';

/** 1,200 samples: the version starts with the first 1,000 and gains the last 200 by appending. */
const drives = syntheticDrives({ sequences: 60, framesPerSequence: 20, routes: 10, placesPerRoute: 12, framesPerPlace: 4, dimension: 16, noise: 0.15, seed: 5 });
const { samples, vectors, dimension } = drives;
const OLD_ROWS = 1000;
const ids = samples.map((sample) => sample.sampleId);

let folder: string;
let workspace: Workspace;
let store: Store;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'apron-search-incremental-'));
  workspace = openWorkspace(join(folder, 'ws'));
  const manifest = {
    format: 'apron-manifest',
    version: 1,
    name: 'Drives',
    root: '.',
    conditionFields: [],
    samples: samples.map((sample) => ({
      sampleId: sample.sampleId,
      sequenceId: sample.sequenceId,
      timestampNs: String(sample.timestampNs),
      cameras: [{ name: 'front', path: `cam/${sample.sampleId}.png` }],
    })),
  } as ManifestInput;
  const manifestPath = writeManifest(join(workspace.datasetsDir, 'drives', 'apron-manifest.json'), manifest);
  store = openStore(':memory:');
  store.addDataset({ datasetId: 'drives', name: 'Drives', importer: null, manifestPath, root: folder, sampleCount: samples.length });
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Adds a version with the first `rows` samples and builds its saved HNSW index. */
function versionWithIndex(name: string, rows: number): { id: string; vectorsPath: string } {
  const vectorsPath = join(workspace.embeddingsDir, `${name}.f32`);
  writeEmbeddingFiles(vectorsPath, { sampleIds: ids.slice(0, rows), dimension, vectors: vectors.slice(0, rows * dimension) });
  const version = store.addEmbeddingVersion({ embeddingVersionId: name, datasetId: 'drives', vectorsPath, dimension, count: rows });
  openVectorSearch(vectorsPath, vectors.slice(0, rows * dimension), dimension, { mode: 'approximate' });
  return { id: version.embeddingVersionId, vectorsPath };
}

function rowOf(row: number): Float32Array {
  return vectors.subarray(row * dimension, (row + 1) * dimension);
}

describe('appendEmbeddings', () => {
  it('adds rows to the saved index without a rebuild', () => {
    const { id, vectorsPath } = versionWithIndex('emb-append', OLD_ROWS);
    const before = readHnswSidecar(hnswPathFor(vectorsPath));
    expect(before.count).toBe(OLD_ROWS);
    expect(before.build?.updatedAt).toBeUndefined();
    const build = vi.spyOn(HnswIndex, 'build');

    const result = appendEmbeddings(store, id, ids.slice(OLD_ROWS), vectors.slice(OLD_ROWS * dimension));

    expect(build).not.toHaveBeenCalled();
    expect(result.added).toBe(200);
    expect(result.version.count).toBe(1200);
    expect(store.getEmbeddingVersion(id).count).toBe(1200);
    expect(readEmbeddingFiles(vectorsPath).sampleIds).toEqual(ids);

    const after = readHnswSidecar(hnswPathFor(vectorsPath));
    expect(after.count).toBe(1200);
    expect(after.build?.builtAt).toBe(before.build?.builtAt);
    expect(after.build?.buildMs).toBe(before.build?.buildMs);
    expect(after.build?.updatedAt).toBeDefined();
    expect(after.build?.addedRows).toBe(200);
    // The recall was measured again, on queries drawn from all 1,200 rows.
    expect(after.build?.recall?.measuredAt).not.toBe(before.build?.recall?.measuredAt);
    expect(after.build?.recall?.queryRows.some((row) => row >= OLD_ROWS)).toBe(true);
    expect(after.build?.recall?.recall).toBeGreaterThan(0.95);
    expect(result.search?.recallAt10).toBe(after.build?.recall?.recall);
  });

  it('leaves the new rows findable', () => {
    const vectorsPath = store.getEmbeddingVersion('emb-append').vectorsPath;
    const build = vi.spyOn(HnswIndex, 'build');
    const search = openVectorSearch(vectorsPath, readEmbeddingFiles(vectorsPath).vectors, dimension, { mode: 'approximate' });
    expect(build).not.toHaveBeenCalled();
    expect(search.count).toBe(1200);
    for (const row of [OLD_ROWS, 1100, 1199]) expect(search.search(rowOf(row), 1)[0]?.index).toBe(row);
    // A new row is among the neighbours of the old rows of its place.
    const table = search.topKAll(10);
    const newRowsFound = Array.from({ length: OLD_ROWS }, (_, row) => table.neighboursOf(row).some((n) => n.index >= OLD_ROWS)).filter(Boolean).length;
    expect(newRowsFound).toBeGreaterThan(100);
  });

  it('mining records the updated index', () => {
    const build = vi.spyOn(HnswIndex, 'build');
    const policy = { maskRules: maskRulesSchema.parse({}), positives: { kind: 'temporal', windowSeconds: 2 } } as const;
    const mined = mineQueue(store, { embeddingVersionId: 'emb-append', policy, search: 'approximate', limit: 100 });
    expect(build).not.toHaveBeenCalled();
    expect(mined.search.kind).toBe('approximate');
    expect(mined.search.rows).toBe(1200);
    expect(mined.search.updatedAt).toBeDefined();
    expect(mined.suspects).toHaveLength(100);
    const params = store.getQueue(mined.queue.queueId).params as { search: { kind: string; recallAt10: number } };
    expect(params.search.kind).toBe('approximate');
    expect(params.search.recallAt10).toBe(mined.search.recallAt10);
  });

  it('api shows the saved index', async () => {
    const handlers = createApiHandlers(store);
    const overview = await handlers.getDatasetOverview({ datasetId: 'drives' });
    const version = overview.embeddingVersions.find((entry) => entry.embeddingVersionId === 'emb-append');
    // 1,200 rows at dimension 16 fit the exact budget, so 'auto' alone would describe exact search.
    expect(version?.search.kind).toBe('approximate');
    expect(version?.search.savedIndex).toBe(true);
    expect(version?.search.recallAt10).toBeGreaterThan(0.95);
    expect(version?.search.recallQueries).toBeGreaterThan(0);

    const queue = (await handlers.listQueues({ datasetId: 'drives' }))[0];
    expect(queue?.search?.kind).toBe('approximate');
    expect(queue?.search?.rows).toBe(1200);
    expect(queue?.search?.recallAt10).toBe(version?.search.recallAt10);
  });

  it('rejects rows the version already has', () => {
    expect(() => appendEmbeddings(store, 'emb-append', [ids[0]!], rowOf(0))).toThrow(/already has a row/);
  });

  it('rejects vectors of another dimension', () => {
    const { id } = versionWithIndex('emb-dimension', OLD_ROWS);
    expect(() => appendEmbeddings(store, id, [ids[OLD_ROWS]!], new Float32Array(8).fill(1))).toThrow(ApronError);
    expect(store.getEmbeddingVersion(id).count).toBe(OLD_ROWS);
  });

  it('rejects ids outside the dataset', () => {
    expect(() => appendEmbeddings(store, 'emb-dimension', ['not-a-sample'], rowOf(0))).toThrow(/not samples of dataset drives/);
  });
});

describe('import-embeddings with appendTo', () => {
  it('appends a JSON file to the version and its index', async () => {
    const { id, vectorsPath } = versionWithIndex('emb-import', OLD_ROWS);
    const builtAt = readHnswSidecar(hnswPathFor(vectorsPath)).build?.builtAt;
    const file = join(folder, 'new-rows.json');
    const newIds = ids.slice(OLD_ROWS, OLD_ROWS + 50);
    // Scaled by 3, so the append must normalise them as the import does.
    const newVectors = newIds.map((_, n) => Array.from(rowOf(OLD_ROWS + n), (value) => value * 3));
    writeFileSync(file, JSON.stringify({ ids: newIds, vectors: newVectors }));

    const result = await importEmbeddings(workspace, store, { datasetId: 'drives', path: file, appendTo: id });

    expect(result.version.embeddingVersionId).toBe(id);
    expect(result.appended).toBe(50);
    expect(result.missingSampleIds).toHaveLength(150);
    expect(result.search?.rows).toBe(1050);
    const sidecar = readHnswSidecar(hnswPathFor(vectorsPath));
    expect(sidecar.count).toBe(1050);
    expect(sidecar.build?.builtAt).toBe(builtAt);
    const stored = readEmbeddingFiles(vectorsPath);
    expect(stored.vectors[OLD_ROWS * dimension]).toBeCloseTo(vectors[OLD_ROWS * dimension]!, 6);
  });

  it('rejects a version of another dataset', async () => {
    store.addDataset({ datasetId: 'other', name: 'Other', importer: null, manifestPath: store.getDataset('drives').manifestPath, root: folder, sampleCount: samples.length });
    const file = join(folder, 'one-row.json');
    writeFileSync(file, JSON.stringify({ ids: [ids[1100]], vectors: [Array.from(rowOf(1100))] }));
    await expect(importEmbeddings(workspace, store, { datasetId: 'other', path: file, appendTo: 'emb-import' })).rejects.toThrow(/belongs to dataset drives/);
  });
});
