/**
 * Parquet import, on files written by a minimal writer below: no Parquet writer is installed
 * (hyparquet only reads), so the test encodes the format itself. The writer covers one row group,
 * v1 data pages with PLAIN values, and RLE levels (Apache Parquet format 2.x, parquet.thrift, with
 * the Thrift compact protocol). Pages are uncompressed, or compressed whole by one of the codecs
 * below: Node's zlib for GZIP and Brotli, lz4js for the LZ4 block formats, and hand-built frames for
 * Snappy and ZSTD.
 *
 * NOTE: the Snappy and ZSTD pages hold only literal (raw) blocks, because no Snappy or ZSTD
 * compressor is installed, so the decoders' match and entropy paths run only on real files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import lz4js from 'lz4js';
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

/** A Parquet page codec: its CompressionCodec number in parquet.thrift and a compressor. */
interface PageCodec {
  name: string;
  id: number;
  compress(body: Uint8Array): Uint8Array;
}

const UNCOMPRESSED: PageCodec = { name: 'UNCOMPRESSED', id: 0, compress: (body) => body };

function parquetFile(schema: SchemaNode[], rows: number, chunks: ColumnChunkInput[], codec: PageCodec = UNCOMPRESSED): Uint8Array {
  const out: number[] = [...new TextEncoder().encode('PAR1')];
  const offsets: number[] = [];
  const sizes: number[] = [];
  const uncompressedSizes: number[] = [];
  for (const chunk of chunks) {
    // A v1 data page compresses levels and values together. The header stays uncompressed.
    const body = codec.compress(chunk.pageBody);
    const page = new CompactWriter()
      .i32(1, 0)
      .i32(2, chunk.pageBody.length)
      .i32(3, body.length)
      .struct(5, (header) => header.i32(1, chunk.numValues).i32(2, 0).i32(3, 3).i32(4, 3))
      .finish();
    offsets.push(out.length);
    out.push(...page, ...body);
    sizes.push(page.length + body.length);
    uncompressedSizes.push(page.length + chunk.pageBody.length);
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
              .i32(4, codec.id)
              .i64(5, chunk.numValues)
              .i64(6, uncompressedSizes[index]!)
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
function wideParquet(ids: string[], vectors: number[][], codec: PageCodec = UNCOMPRESSED): Uint8Array {
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
  return parquetFile(schema, ids.length, chunks, codec);
}

/** Table with a UTF8 id column and a list<float> column in the standard three-level layout. */
function listParquet(ids: string[], vectors: number[][], column = 'embedding', codec: PageCodec = UNCOMPRESSED): Uint8Array {
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
  return parquetFile(schema, ids.length, chunks, codec);
}

/** Compresses `data` into one raw LZ4 block. lz4js returns 0 for input without a match, which is then written as one literal run. */
function lz4Block(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 255) + 16);
  const size = lz4js.compressBlock(data, out, 0, data.length, new Uint32Array(1 << 16));
  if (size > 0) return out.subarray(0, size);
  const literal: number[] = [];
  if (data.length < 15) literal.push(data.length << 4);
  else {
    literal.push(0xf0);
    let rest = data.length - 15;
    for (; rest >= 255; rest -= 255) literal.push(255);
    literal.push(rest);
  }
  return Uint8Array.from([...literal, ...data]);
}

/** Compresses `data` in Hadoop's LZ4 framing, which Parquet's LZ4 codec (5) uses: big-endian raw and block lengths, then the block. */
function hadoopLz4(data: Uint8Array): Uint8Array {
  const block = lz4Block(data);
  const out = new Uint8Array(8 + block.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  view.setUint32(4, block.length);
  out.set(block, 8);
  return out;
}

/** Encodes `data` as Snappy with only literal elements: a varint length, then one literal of up to 2^16 bytes. */
function snappyLiteral(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let rest = data.length; ; rest >>>= 7) {
    if (rest < 0x80) {
      out.push(rest);
      break;
    }
    out.push((rest & 0x7f) | 0x80);
  }
  const lengthMinusOne = data.length - 1;
  if (lengthMinusOne < 60) out.push(lengthMinusOne << 2);
  else out.push(61 << 2, lengthMinusOne & 0xff, lengthMinusOne >> 8);
  return Uint8Array.from([...out, ...data]);
}

/** Wraps `data` in a ZSTD frame (RFC 8878) with a 4-byte content size and one raw block. */
function zstdRawFrame(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 1 + 4 + 3 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xfd2fb528, true);
  // Frame header descriptor: content size field of 4 bytes (flag 2), single segment, no checksum.
  out[4] = (2 << 6) | (1 << 5);
  view.setUint32(5, data.length, true);
  // Block header: last block, type raw (0), then the size in the upper 21 bits.
  const header = 1 | (0 << 1) | (data.length << 3);
  out.set([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff], 9);
  out.set(data, 12);
  return out;
}

const PAGE_CODECS: PageCodec[] = [
  { name: 'SNAPPY', id: 1, compress: snappyLiteral },
  { name: 'GZIP', id: 2, compress: (body) => gzipSync(body) },
  { name: 'BROTLI', id: 4, compress: (body) => brotliCompressSync(body) },
  { name: 'LZ4', id: 5, compress: hadoopLz4 },
  { name: 'ZSTD', id: 6, compress: zstdRawFrame },
  { name: 'LZ4_RAW', id: 7, compress: lz4Block },
];

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

  for (const codec of PAGE_CODECS) {
    it(`reads ${codec.name} pages`, async () => {
      const uncompressed = listParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!));
      const bytes = listParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!), 'embedding', codec);
      // The compressed file must differ, or the test would pass with the codec ignored.
      expect(Buffer.from(bytes).equals(Buffer.from(uncompressed))).toBe(false);
      expectUnitRowsInManifestOrder(await importAndRead(bytes));
    });
  }

  it('reads GZIP pages of one column per dimension', async () => {
    const matrix = await importAndRead(wideParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!), PAGE_CODECS[1]!));
    expectUnitRowsInManifestOrder(matrix);
  });

  it('rejects a damaged GZIP page', async () => {
    const bytes = listParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!), 'embedding', {
      name: 'GZIP',
      id: 2,
      compress: (body) => {
        const compressed = gzipSync(body);
        // Flip bits inside the deflate stream, after the 10-byte gzip header.
        for (let i = 12; i < compressed.length - 8; i++) compressed[i] = compressed[i]! ^ 0x5a;
        return compressed;
      },
    });
    await expect(importAndRead(bytes)).rejects.toThrow(/Could not read the Parquet file/);
  });

  it('rejects LZO pages, which no codec reads', async () => {
    const bytes = listParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!), 'embedding', { name: 'LZO', id: 3, compress: (body) => body });
    await expect(importAndRead(bytes)).rejects.toThrow(/Could not read the Parquet file .*LZO/);
  });

  it('rejects a truncated file', async () => {
    const bytes = wideParquet(FILE_ORDER, FILE_ORDER.map((id) => VECTORS[id]!));
    await expect(importAndRead(bytes.subarray(0, bytes.length - 6))).rejects.toThrow(/Could not read the Parquet file/);
  });
});
