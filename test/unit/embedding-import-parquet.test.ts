/**
 * Parquet import, on files written by a minimal writer below: no Parquet writer is installed
 * (hyparquet only reads), so the test encodes the format itself. The writer covers one row group,
 * uncompressed v1 data pages with PLAIN values, and RLE levels (Apache Parquet format 2.x,
 * parquet.thrift, with the Thrift compact protocol).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { readEmbeddingFiles } from '../../src/loop/embedding-file.js';
import { importEmbeddings } from '../../src/loop/embedding-import.js';
import { openStore, type Store } from '../../src/store/index.js';

/** Thrift compact protocol writer, enough for the Parquet footer and page headers. */
class CompactWriter {
  readonly bytes: number[] = [];
  private lastField: number[] = [0];

  private varint(value: bigint): void {
    let rest = value;
    while (rest >= 0x80n) {
      this.bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.bytes.push(Number(rest));
  }

  private zigzag(value: number | bigint): void {
    const big = BigInt(value);
    this.varint(big >= 0n ? big << 1n : (-big << 1n) - 1n);
  }

  private header(id: number, type: number): void {
    const delta = id - this.lastField[this.lastField.length - 1]!;
    this.bytes.push((delta << 4) | type);
    this.lastField[this.lastField.length - 1] = id;
  }

  i32(id: number, value: number): this {
    this.header(id, 5);
    this.zigzag(value);
    return this;
  }

  i64(id: number, value: number): this {
    this.header(id, 6);
    this.zigzag(value);
    return this;
  }

  string(id: number, value: string): this {
    this.header(id, 8);
    const encoded = new TextEncoder().encode(value);
    this.varint(BigInt(encoded.length));
    this.bytes.push(...encoded);
    return this;
  }

  struct(id: number, body: (writer: this) => void): this {
    this.header(id, 12);
    this.structBody(body);
    return this;
  }

  private structBody(body: (writer: this) => void): void {
    this.lastField.push(0);
    body(this);
    this.bytes.push(0);
    this.lastField.pop();
  }

  /** A list of structs (element type 12), of i32 (5) or of strings (8). */
  list<T>(id: number, elementType: 5 | 8 | 12, items: T[], write: (writer: this, item: T) => void): this {
    this.header(id, 9);
    if (items.length < 15) this.bytes.push((items.length << 4) | elementType);
    else {
      this.bytes.push(0xf0 | elementType);
      this.varint(BigInt(items.length));
    }
    for (const item of items) {
      if (elementType === 12) this.structBody((writer) => write(writer, item));
      else write(this, item);
    }
    return this;
  }

  /** Returns the bytes of the top-level struct, with its stop byte. */
  finish(): number[] {
    return [...this.bytes, 0];
  }

  /** Writes an i32 list element, which has no field header. */
  rawI32(value: number): void {
    this.zigzag(value);
  }

  /** Writes a string list element, which has no field header. */
  rawString(value: string): void {
    const encoded = new TextEncoder().encode(value);
    this.varint(BigInt(encoded.length));
    this.bytes.push(...encoded);
  }
}

const TYPE_FLOAT = 4;
const TYPE_BYTE_ARRAY = 6;
const REQUIRED = 0;
const REPEATED = 2;
const CONVERTED_UTF8 = 0;
const CONVERTED_LIST = 3;

interface SchemaNode {
  name: string;
  type?: number;
  repetition?: number;
  converted?: number;
  children?: number;
}

interface ColumnChunkInput {
  path: string[];
  type: number;
  numValues: number;
  /** Level bytes (already RLE encoded, each with its 4-byte length) followed by PLAIN values. */
  pageBody: Uint8Array;
}

/** Encodes one RLE run of `count` copies of a level of bit width 1. */
function rleRun(count: number, value: 0 | 1): number[] {
  const out: number[] = [];
  let header = count << 1;
  while (header >= 0x80) {
    out.push((header & 0x7f) | 0x80);
    header >>>= 7;
  }
  out.push(header, value);
  return out;
}

function withLength(bytes: number[]): number[] {
  return [bytes.length & 0xff, (bytes.length >> 8) & 0xff, (bytes.length >> 16) & 0xff, bytes.length >>> 24, ...bytes];
}

function plainStrings(values: string[]): number[] {
  return values.flatMap((value) => withLength([...new TextEncoder().encode(value)]));
}

function plainFloats(values: number[]): number[] {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return [...bytes];
}

function parquetFile(schema: SchemaNode[], rows: number, chunks: ColumnChunkInput[]): Uint8Array {
  const out: number[] = [...new TextEncoder().encode('PAR1')];
  const offsets: number[] = [];
  const sizes: number[] = [];
  for (const chunk of chunks) {
    const page = new CompactWriter()
      .i32(1, 0)
      .i32(2, chunk.pageBody.length)
      .i32(3, chunk.pageBody.length)
      .struct(5, (header) => header.i32(1, chunk.numValues).i32(2, 0).i32(3, 3).i32(4, 3))
      .finish();
    offsets.push(out.length);
    out.push(...page, ...chunk.pageBody);
    sizes.push(page.length + chunk.pageBody.length);
  }

  const footer = new CompactWriter()
    .i32(1, 1)
    .list(2, 12, schema, (element, node) => {
      if (node.type !== undefined) element.i32(1, node.type);
      if (node.repetition !== undefined) element.i32(3, node.repetition);
      element.string(4, node.name);
      if (node.children !== undefined) element.i32(5, node.children);
      if (node.converted !== undefined) element.i32(6, node.converted);
    })
    .i64(3, rows)
    .list(4, 12, [0], (group) => {
      group
        .list(1, 12, chunks, (column, chunk) => {
          const index = chunks.indexOf(chunk);
          column.i64(2, offsets[index]!).struct(3, (meta) => {
            meta
              .i32(1, chunk.type)
              .list(2, 5, [0, 3], (writer, encoding) => writer.rawI32(encoding))
              .list(3, 8, chunk.path, (writer, part) => writer.rawString(part))
              .i32(4, 0)
              .i64(5, chunk.numValues)
              .i64(6, sizes[index]!)
              .i64(7, sizes[index]!)
              .i64(9, offsets[index]!);
          });
        })
        .i64(2, sizes.reduce((sum, size) => sum + size, 0))
        .i64(3, rows);
    })
    .finish();
  out.push(...footer);
  const length = footer.length;
  out.push(length & 0xff, (length >> 8) & 0xff, (length >> 16) & 0xff, length >>> 24);
  out.push(...new TextEncoder().encode('PAR1'));
  return Uint8Array.from(out);
}

/** Table with a UTF8 id column and one FLOAT column per dimension. */
function wideParquet(ids: string[], vectors: number[][]): Uint8Array {
  const dimension = vectors[0]!.length;
  const schema: SchemaNode[] = [
    { name: 'schema', children: 1 + dimension },
    { name: 'id', type: TYPE_BYTE_ARRAY, repetition: REQUIRED, converted: CONVERTED_UTF8 },
    ...Array.from({ length: dimension }, (_, d) => ({ name: `f${d}`, type: TYPE_FLOAT, repetition: REQUIRED })),
  ];
  const chunks: ColumnChunkInput[] = [
    { path: ['id'], type: TYPE_BYTE_ARRAY, numValues: ids.length, pageBody: Uint8Array.from(plainStrings(ids)) },
    ...Array.from({ length: dimension }, (_, d) => ({
      path: [`f${d}`],
      type: TYPE_FLOAT,
      numValues: ids.length,
      pageBody: Uint8Array.from(plainFloats(vectors.map((vector) => vector[d]!))),
    })),
  ];
  return parquetFile(schema, ids.length, chunks);
}

/** Table with a UTF8 id column and a list<float> column in the standard three-level layout. */
function listParquet(ids: string[], vectors: number[][], column = 'embedding'): Uint8Array {
  const dimension = vectors[0]!.length;
  const schema: SchemaNode[] = [
    { name: 'schema', children: 2 },
    { name: 'id', type: TYPE_BYTE_ARRAY, repetition: REQUIRED, converted: CONVERTED_UTF8 },
    { name: column, repetition: REQUIRED, converted: CONVERTED_LIST, children: 1 },
    { name: 'list', repetition: REPEATED, children: 1 },
    { name: 'element', type: TYPE_FLOAT, repetition: REQUIRED },
  ];
  // Repetition level 0 starts a row and 1 continues its list. Every value is defined (level 1).
  const repetition = withLength(ids.flatMap(() => [...rleRun(1, 0), ...rleRun(dimension - 1, 1)]));
  const definition = withLength(rleRun(ids.length * dimension, 1));
  const values = plainFloats(vectors.flat());
  const chunks: ColumnChunkInput[] = [
    { path: ['id'], type: TYPE_BYTE_ARRAY, numValues: ids.length, pageBody: Uint8Array.from(plainStrings(ids)) },
    { path: [column, 'list', 'element'], type: TYPE_FLOAT, numValues: ids.length * dimension, pageBody: Uint8Array.from([...repetition, ...definition, ...values]) },
  ];
  return parquetFile(schema, ids.length, chunks);
}

const SAMPLE_IDS = ['a', 'b', 'c'];
const FILE_ORDER = ['c', 'a', 'b'];
const VECTORS: Record<string, number[]> = { a: [1, 0, 0, 0], b: [0, 3, 4, 0], c: [1, 1, 1, 1] };

let folder: string;
let workspace: Workspace;
let store: Store;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'apron-embedding-parquet-'));
  workspace = openWorkspace(join(folder, 'ws'));
  const manifest = {
    format: 'apron-manifest',
    version: 1,
    name: 'Parquet',
    root: '.',
    conditionFields: [],
    samples: SAMPLE_IDS.map((sampleId, index) => ({
      sampleId,
      sequenceId: 'A',
      timestampNs: String(1_700_000_000_000_000_000n + BigInt(index)),
      cameras: [{ name: 'front', path: `cam/${sampleId}.png` }],
    })),
  } as ManifestInput;
  const manifestPath = writeManifest(join(workspace.datasetsDir, 'pq', 'apron-manifest.json'), manifest);
  store = openStore(':memory:');
  store.addDataset({ datasetId: 'pq', name: 'Parquet', importer: null, manifestPath, root: folder, sampleCount: SAMPLE_IDS.length });
});

afterEach(() => {
  store.close();
  rmSync(folder, { recursive: true, force: true });
});

async function importAndRead(bytes: Uint8Array, options: { vectorColumn?: string } = {}) {
  const path = join(folder, 'emb.parquet');
  writeFileSync(path, bytes);
  const { version, format } = await importEmbeddings(workspace, store, { datasetId: 'pq', path, ...options });
  expect(format).toBe('parquet');
  expect(version.runId).toBeNull();
  return readEmbeddingFiles(version.vectorsPath);
}

function expectUnitRowsInManifestOrder(matrix: ReturnType<typeof readEmbeddingFiles>): void {
  expect(matrix.sampleIds).toEqual(SAMPLE_IDS);
  expect(matrix.dimension).toBe(4);
  SAMPLE_IDS.forEach((id, row) => {
    const raw = VECTORS[id]!;
    const norm = Math.hypot(...raw);
    for (let d = 0; d < 4; d++) expect(matrix.vectors[row * 4 + d]).toBeCloseTo(raw[d]! / norm, 6);
  });
}

describe('importEmbeddings from Parquet', () => {
  it('reads one float column per dimension', async () => {
    const matrix = await importAndRead(wideParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!)));
    expectUnitRowsInManifestOrder(matrix);
  });

  it('reads a list<float> column', async () => {
    const matrix = await importAndRead(listParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!)));
    expectUnitRowsInManifestOrder(matrix);
  });

  it('reads a named list column', async () => {
    const matrix = await importAndRead(listParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!), 'clip'), { vectorColumn: 'clip' });
    expectUnitRowsInManifestOrder(matrix);
  });

  it('rejects ids the dataset lacks', async () => {
    const bytes = wideParquet(['a', 'b', 'zz'], [VECTORS['a']!, VECTORS['b']!, [1, 2, 3, 4]]);
    await expect(importAndRead(bytes)).rejects.toThrow(/emb\.parquet has 1 ids that dataset pq lacks, for example "zz"/);
  });

  it('rejects a truncated file', async () => {
    const bytes = wideParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!));
    await expect(importAndRead(bytes.subarray(0, bytes.length - 6))).rejects.toThrow(/Could not read the Parquet file/);
  });
});
