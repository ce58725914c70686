import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableFromJSON, tableToIPC } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { readEmbeddingFiles } from '../../src/loop/embedding-file.js';
import { importEmbeddings, type ImportEmbeddingsOptions } from '../../src/loop/embedding-import.js';
import { openStore, type Store } from '../../src/store/index.js';

const SAMPLE_IDS = ['s1', 's2', 's3', 's4'];
const DIMENSION = 3;
/** Vectors by sample id, deliberately not unit length so the import must normalise them. */
const VECTORS: Record<string, number[]> = { s1: [3, 0, 4], s2: [0, 2, 0], s3: [1, 1, 1], s4: [-0.5, 0.25, 2] };
/** File row order, different from the manifest's, so the import must reorder. */
const FILE_ORDER = ['s3', 's1', 's4', 's2'];

function manifest(): ManifestInput {
  return {
    format: 'apron-manifest',
    version: 1,
    name: 'Tiny',
    root: '.',
    conditionFields: [],
    samples: SAMPLE_IDS.map((sampleId, index) => ({
      sampleId,
      sequenceId: 'A',
      timestampNs: String(1_700_000_000_000_000_000n + BigInt(index)),
      cameras: [{ name: 'front', path: `cam/${sampleId}.png` }],
    })),
  } as ManifestInput;
}

/** Writes a version 1 .npy file by hand: magic, version, header length, padded dict header, data. */
function npyBytes(descr: '<f4' | '<f2', rows: number[][]): Uint8Array {
  const columns = rows[0]?.length ?? 0;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows.length}, ${columns}), }`;
  // The header, with its 10-byte prefix and final newline, is padded to a multiple of 64 bytes.
  const padding = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(padding % 64) + '\n';
  const itemSize = descr === '<f4' ? 4 : 2;
  const bytes = new Uint8Array(10 + header.length + rows.length * columns * itemSize);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), 10);
  rows.flat().forEach((value, i) => {
    const offset = 10 + header.length + i * itemSize;
    if (descr === '<f4') view.setFloat32(offset, value, true);
    else view.setUint16(offset, halfBits(value), true);
  });
  return bytes;
}

/** IEEE binary16 bits of a value that half precision represents exactly, or of NaN or an infinity. */
function halfBits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return sign | 0x7c00;
  if (magnitude === 0) return sign;
  const exponent = Math.floor(Math.log2(magnitude));
  const fraction = Math.round((magnitude / 2 ** exponent - 1) * 1024);
  return sign | ((exponent + 15) << 10) | fraction;
}

function unit(values: number[]): number[] {
  const norm = Math.hypot(...values);
  return values.map((value) => value / norm);
}

let folder: string;
let workspace: Workspace;
let store: Store;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'apron-embedding-import-'));
  workspace = openWorkspace(join(folder, 'ws'));
  const manifestPath = writeManifest(join(workspace.datasetsDir, 'tiny', 'apron-manifest.json'), manifest());
  store = openStore(':memory:');
  store.addDataset({ datasetId: 'tiny', name: 'Tiny', importer: null, manifestPath, root: folder, sampleCount: SAMPLE_IDS.length });
});

afterEach(() => {
  store.close();
  rmSync(folder, { recursive: true, force: true });
});

function write(name: string, data: string | Uint8Array): string {
  const path = join(folder, name);
  writeFileSync(path, data);
  return path;
}

function run(path: string, options: Partial<ImportEmbeddingsOptions> = {}) {
  return importEmbeddings(workspace, store, { datasetId: 'tiny', path, ...options });
}

/** Checks the stored version: manifest order, unit rows, no training run. */
async function expectImported(path: string, options: Partial<ImportEmbeddingsOptions> = {}, tolerance = 6): Promise<void> {
  const { version, missingSampleIds } = await run(path, options);
  expect(missingSampleIds).toEqual([]);
  expect(version.runId).toBeNull();
  expect(version.count).toBe(SAMPLE_IDS.length);
  expect(version.dimension).toBe(DIMENSION);
  expect(store.getEmbeddingVersion(version.embeddingVersionId).vectorsPath).toBe(version.vectorsPath);

  const matrix = readEmbeddingFiles(version.vectorsPath);
  expect(matrix.sampleIds).toEqual(SAMPLE_IDS);
  SAMPLE_IDS.forEach((id, row) => {
    const expected = unit(VECTORS[id]!);
    for (let d = 0; d < DIMENSION; d++) expect(matrix.vectors[row * DIMENSION + d]).toBeCloseTo(expected[d]!, tolerance);
  });
}

describe('importEmbeddings formats', () => {
  it('reads float32 .npy with a text id list', async () => {
    const path = write('emb.npy', npyBytes('<f4', FILE_ORDER.map((id) => VECTORS[id]!)));
    const idsPath = write('ids.txt', FILE_ORDER.join('\n') + '\n');
    await expectImported(path, { idsPath });
  });

  it('reads float16 .npy with a JSON id array', async () => {
    const path = write('emb16.npy', npyBytes('<f2', FILE_ORDER.map((id) => VECTORS[id]!)));
    const idsPath = write('ids.json', JSON.stringify(FILE_ORDER));
    // Every test value is exact in float16, so only the normalisation rounds.
    await expectImported(path, { idsPath });
  });

  it('reads JSON with ids and vectors arrays', async () => {
    const path = write('emb.json', JSON.stringify({ ids: FILE_ORDER, vectors: FILE_ORDER.map((id) => VECTORS[id]) }));
    await expectImported(path);
  });

  it('reads JSON as a list of id and vector objects', async () => {
    const path = write('rows.json', JSON.stringify(FILE_ORDER.map((id) => ({ id, vector: VECTORS[id] }))));
    await expectImported(path);
  });

  it('reads an Arrow IPC file with a list column', async () => {
    const table = tableFromJSON(FILE_ORDER.map((id) => ({ sample_id: id, embedding: VECTORS[id]! })));
    const path = write('emb.arrow', tableToIPC(table, 'file'));
    await expectImported(path);
  });

  it('reads an Arrow IPC stream with one column per dimension', async () => {
    const columns: Record<string, Float32Array> = {};
    for (let d = 0; d < DIMENSION; d++) columns[`f${d}`] = Float32Array.from(FILE_ORDER, (id) => VECTORS[id]![d]!);
    const table = tableFromArrays({ key: FILE_ORDER, ...columns });
    const path = write('emb.feather', tableToIPC(table, 'stream'));
    await expectImported(path, { idColumn: 'key' });
  });

  it('uses --vector-column when a table has several list columns', async () => {
    const table = tableFromJSON(FILE_ORDER.map((id) => ({ id, other: [1, 2], embedding: VECTORS[id]! })));
    const path = write('two-lists.arrow', tableToIPC(table, 'file'));
    await expect(run(path)).rejects.toThrow(/several list columns \(other, embedding\)/);
    await expectImported(path, { vectorColumn: 'embedding' });
  });
});

describe('importEmbeddings rejects', () => {
  const jsonFile = (rows: { id: string; vector: (number | null)[] }[]): string => write('bad.json', JSON.stringify(rows));
  const goodRows = () => FILE_ORDER.map((id) => ({ id, vector: [...VECTORS[id]!] as (number | null)[] }));

  async function expectError(promise: Promise<unknown>, pattern: RegExp): Promise<ApronError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ApronError);
    expect((error as ApronError).message).toMatch(pattern);
    return error as ApronError;
  }

  it('ids the dataset lacks, listing a few', async () => {
    const rows = [...goodRows(), ...['x1', 'x2', 'x3', 'x4', 'x5', 'x6'].map((id) => ({ id, vector: [1, 0, 0] }))];
    const path = jsonFile(rows);
    const error = await expectError(run(path), /6 ids that dataset tiny lacks, for example "x1", "x2", "x3", "x4", "x5" and 1 more/);
    expect(error.message).toContain(path);
    expect(error.path).toBe(path);
  });

  it('duplicate ids', async () => {
    const path = jsonFile([...goodRows(), { id: 's2', vector: [1, 0, 0] }]);
    await expectError(run(path), /1 duplicate ids, for example "s2"/);
  });

  it('vectors of different dimensions', async () => {
    const rows = goodRows();
    rows[2] = { id: rows[2]!.id, vector: [1, 2] };
    await expectError(run(jsonFile(rows)), /Vector of id s4 .* has 2 values, but the first vector has 3/);
  });

  it('a dimension other than --dimension', async () => {
    await expectError(run(jsonFile(goodRows()), { dimension: 128 }), /has dimension 3, expected 128/);
  });

  it('NaN written as null in JSON', async () => {
    const rows = goodRows();
    rows[0]!.vector[1] = null;
    await expectError(run(jsonFile(rows)), /Vector of sample s3 .* has NaN at position 1/);
  });

  it('infinity in a float16 .npy', async () => {
    const values = FILE_ORDER.map((id) => [...VECTORS[id]!]);
    values[1]![2] = Infinity;
    const idsPath = write('ids.txt', FILE_ORDER.join('\n'));
    await expectError(run(write('inf.npy', npyBytes('<f2', values)), { idsPath }), /Vector of sample s1 .* has Infinity at position 2/);
  });

  it('an all-zero vector', async () => {
    const rows = goodRows();
    rows[3]!.vector = [0, 0, 0];
    await expectError(run(jsonFile(rows)), /Vector of sample s2 .* is all zeros/);
  });

  it('missing samples unless allowMissing', async () => {
    const path = jsonFile(goodRows().filter((row) => row.id !== 's2' && row.id !== 's4'));
    const error = await expectError(run(path), /lacks 2 of the 4 samples of dataset tiny, for example "s2", "s4"/);
    expect(error.hint).toMatch(/--allow-missing/);

    const { version, missingSampleIds } = await run(path, { allowMissing: true });
    expect(missingSampleIds).toEqual(['s2', 's4']);
    expect(version.count).toBe(2);
    expect(readEmbeddingFiles(version.vectorsPath).sampleIds).toEqual(['s1', 's3']);
  });

  it('a file over the size limit', async () => {
    await expectError(run(jsonFile(goodRows()), { maxBytes: 16 }), /bad\.json is \d+ bytes, over the 16 bytes limit/);
  });

  it('a .npy file without ids', async () => {
    const path = write('no-ids.npy', npyBytes('<f4', [[1, 0, 0]]));
    await expectError(run(path), /is a \.npy array, which has no sample ids/);
  });

  it('an id file with another row count', async () => {
    const path = write('short.npy', npyBytes('<f4', [[1, 0, 0], [0, 1, 0]]));
    await expectError(run(path, { idsPath: write('one.txt', 's1\n') }), /has 1 ids, but .* has 2 rows/);
  });

  it('a table without an id column', async () => {
    const table = tableFromJSON([{ name: 's1', embedding: [1, 0, 0] }]);
    await expectError(run(write('no-id.arrow', tableToIPC(table, 'file'))), /has no id column \(looked for id, sample_id, sampleId\); its columns are: name, embedding/);
  });

  it('a file of unknown format', async () => {
    await expectError(run(write('emb.bin', new Uint8Array([1, 2, 3, 4]))), /is not \.npy, JSON, Arrow IPC or Parquet/);
  });

  it('an unknown dataset', async () => {
    await expect(importEmbeddings(workspace, store, { datasetId: 'nope', path: jsonFile(goodRows()) })).rejects.toThrow(/nope/);
  });

  it('a missing file', async () => {
    await expectError(run(join(folder, 'absent.npy')), /Embedding file not found/);
  });
});
