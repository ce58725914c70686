/**
 * Arrow IPC import with LZ4_FRAME and ZSTD compressed bodies. The files are written by apache-arrow's
 * own writer with an encoder set only while writing, so the import reads them through the decoders
 * that Apron registers. LZ4 bodies come from lz4js. No ZSTD compressor is installed, so ZSTD bodies
 * are RFC 8878 frames written below from RLE blocks (runs of one byte) and raw blocks.
 *
 * apache-arrow stores a buffer uncompressed when the codec does not make it smaller, so the vectors
 * are mostly zeros and each test checks that some buffers really were compressed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressionRegistry, CompressionType, RecordBatchFileWriter, RecordBatchStreamWriter, tableFromIPC, tableFromJSON, type Table } from 'apache-arrow';
import lz4js from 'lz4js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../../src/core/workspace.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import { LZ4_FRAME_DECODER, registerArrowCodecs } from '../../src/loop/arrow-codecs.js';
import { readEmbeddingFiles } from '../../src/loop/embedding-file.js';
import { importEmbeddings } from '../../src/loop/embedding-import.js';
import { readArgoverse2Feather } from '../../src/sensors/lidar/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { describeWithSharedData, sharedDataPath } from '../helpers/shared-data.js';

const SAMPLE_IDS = ['s1', 's2', 's3', 's4'];
const DIMENSION = 32;
/** Not unit length, and mostly zeros so that both codecs shrink the value buffer. */
const VECTORS: Record<string, number[]> = {
  s1: sparse({ 0: 1, 5: 2 }),
  s2: sparse({ 1: 3, 31: -4 }),
  s3: sparse({ 7: 5, 8: 0.5 }),
  s4: sparse({ 2: -1, 20: 2, 30: 0.25 }),
};

function sparse(entries: Record<number, number>): number[] {
  return Array.from({ length: DIMENSION }, (_, d) => entries[d] ?? 0);
}
const FILE_ORDER = ['s3', 's1', 's4', 's2'];

/** Minimum run of one byte value that becomes an RLE block. Shorter runs stay in raw blocks. */
const MIN_RUN = 8;

function runLength(data: Uint8Array, start: number): number {
  let end = start + 1;
  while (end < data.length && data[end] === data[start]) end++;
  return end - start;
}

/**
 * Writes a ZSTD frame (RFC 8878) with a 4-byte content size, runs of MIN_RUN or more equal bytes as
 * RLE blocks and everything else as raw blocks. Inputs must stay under 128 KiB, the largest block.
 */
function zstdFrame(data: Uint8Array): Uint8Array {
  const out: number[] = [0x28, 0xb5, 0x2f, 0xfd];
  // Frame header descriptor: content size field of 4 bytes (flag 2), single segment, no checksum.
  out.push((2 << 6) | (1 << 5));
  out.push(data.length & 0xff, (data.length >> 8) & 0xff, (data.length >> 16) & 0xff, data.length >>> 24);
  let lastHeader = -1;
  const blockHeader = (type: 0 | 1, size: number): void => {
    lastHeader = out.length;
    // Bit 0 is the last-block flag (set below), bits 1-2 the block type, the rest the size.
    const header = (type << 1) | (size << 3);
    out.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff);
  };

  let position = 0;
  while (position < data.length) {
    const run = runLength(data, position);
    if (run >= MIN_RUN) {
      blockHeader(1, run);
      out.push(data[position]!);
      position += run;
      continue;
    }
    let end = position;
    while (end < data.length && runLength(data, end) < MIN_RUN) end++;
    blockHeader(0, end - position);
    out.push(...data.subarray(position, end));
    position = end;
  }
  if (lastHeader < 0) blockHeader(0, 0);
  out[lastHeader] = out[lastHeader]! | 1;
  return Uint8Array.from(out);
}

const ENCODERS = [
  { name: 'LZ4_FRAME', type: CompressionType.LZ4_FRAME, encode: (data: Uint8Array) => lz4js.compress(data) },
  { name: 'ZSTD', type: CompressionType.ZSTD, encode: zstdFrame },
];

/** Buffers that the last writeCompressed call stored compressed, because the codec made them smaller. */
let compressedBuffers = 0;

/**
 * Writes `table` as Arrow IPC with compressed bodies. The encoder is registered only while writing,
 * next to Apron's decoder, and the registry is restored afterwards.
 */
function writeCompressed(table: Table, type: CompressionType, encode: (data: Uint8Array) => Uint8Array, format: 'file' | 'stream'): Uint8Array {
  registerArrowCodecs();
  const registered = compressionRegistry.get(type);
  if (registered === null) throw new Error(`no decoder is registered for compression type ${type}`);
  compressedBuffers = 0;
  const countingEncode = (data: Uint8Array): Uint8Array => {
    const compressed = encode(data);
    if (compressed.length < data.length) compressedBuffers++;
    return compressed;
  };
  compressionRegistry.set(type, { encode: countingEncode, decode: registered.decode! });
  try {
    const writer = format === 'file' ? RecordBatchFileWriter.writeAll(table, { compressionType: type }) : RecordBatchStreamWriter.writeAll(table, { compressionType: type });
    return writer.toUint8Array(true);
  } finally {
    compressionRegistry.set(type, registered);
  }
}

let folder: string;
let workspace: Workspace;
let store: Store;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'apron-embedding-arrow-'));
  workspace = openWorkspace(join(folder, 'ws'));
  const manifest = {
    format: 'apron-manifest',
    version: 1,
    name: 'Arrow',
    root: '.',
    conditionFields: [],
    samples: SAMPLE_IDS.map((sampleId, index) => ({
      sampleId,
      sequenceId: 'A',
      timestampNs: String(1_700_000_000_000_000_000n + BigInt(index)),
      cameras: [{ name: 'front', path: `cam/${sampleId}.png` }],
    })),
  } as ManifestInput;
  const manifestPath = writeManifest(join(workspace.datasetsDir, 'arrow', 'apron-manifest.json'), manifest);
  store = openStore(':memory:');
  store.addDataset({ datasetId: 'arrow', name: 'Arrow', importer: null, manifestPath, root: folder, sampleCount: SAMPLE_IDS.length });
});

afterEach(() => {
  store.close();
  rmSync(folder, { recursive: true, force: true });
});

async function importAndCheck(bytes: Uint8Array): Promise<void> {
  const path = join(folder, 'emb.arrow');
  writeFileSync(path, bytes);
  const { version, format } = await importEmbeddings(workspace, store, { datasetId: 'arrow', path });
  expect(format).toBe('arrow');
  const matrix = readEmbeddingFiles(version.vectorsPath);
  expect(matrix.sampleIds).toEqual(SAMPLE_IDS);
  expect(matrix.dimension).toBe(DIMENSION);
  SAMPLE_IDS.forEach((id, row) => {
    const raw = VECTORS[id]!;
    const norm = Math.hypot(...raw);
    for (let d = 0; d < DIMENSION; d++) expect(matrix.vectors[row * DIMENSION + d]).toBeCloseTo(raw[d]! / norm, 6);
  });
}

function listTable(): Table {
  return tableFromJSON(FILE_ORDER.map((id) => ({ sample_id: id, embedding: VECTORS[id]! })));
}


describe('importEmbeddings from compressed Arrow', () => {
  for (const encoder of ENCODERS) {
    it(`reads a ${encoder.name} file with a list column`, async () => {
      const bytes = writeCompressed(listTable(), encoder.type, encoder.encode, 'file');
      expect(compressedBuffers).toBeGreaterThan(0);
      await importAndCheck(bytes);
    });

    it(`reads a ${encoder.name} stream`, async () => {
      const bytes = writeCompressed(listTable(), encoder.type, encoder.encode, 'stream');
      expect(compressedBuffers).toBeGreaterThan(0);
      await importAndCheck(bytes);
    });
  }

  it('writes bodies that differ from the uncompressed file', () => {
    const plain = RecordBatchFileWriter.writeAll(listTable()).toUint8Array(true);
    for (const encoder of ENCODERS) {
      const compressed = writeCompressed(listTable(), encoder.type, encoder.encode, 'file');
      expect(Buffer.from(compressed).equals(Buffer.from(plain)), encoder.name).toBe(false);
    }
  });

  it('rejects a damaged ZSTD body', async () => {
    const bytes = writeCompressed(listTable(), CompressionType.ZSTD, (data) => {
      const frame = zstdFrame(data);
      // The reserved block type 3 in the first block header is invalid in every ZSTD frame.
      frame[9] = frame[9]! | 0b110;
      return frame;
    }, 'file');
    expect(compressedBuffers).toBeGreaterThan(0);
    const path = join(folder, 'damaged.arrow');
    writeFileSync(path, bytes);
    await expect(importEmbeddings(workspace, store, { datasetId: 'arrow', path })).rejects.toThrow(/Could not read the Arrow table/);
  });
});

describeWithSharedData(['argoverse2-sample'], 'LZ4 decoder on a pyarrow Feather file', () => {
  it('matches the point-cloud reader on a sweep', () => {
    const path = sharedDataPath('argoverse2-sample', 'adcf7d18-0510-35b0-a2fa-b4cea13a6d76', 'sensors', 'lidar', '315973157959879000.feather');
    const bytes = new Uint8Array(readFileSync(path));
    // The point-cloud reader registers its own LZ4 decoder on import, so it is swapped for Apron's lz4js decoder here.
    const cloud = readArgoverse2Feather(bytes, path);
    const previous = compressionRegistry.get(CompressionType.LZ4_FRAME);
    compressionRegistry.set(CompressionType.LZ4_FRAME, LZ4_FRAME_DECODER);
    try {
      const table = tableFromIPC(bytes);
      expect(table.numRows).toBe(cloud.count);
      const x = table.getChild('x')!;
      const positions = cloud.fields.find((field) => field.name === 'x')!.values;
      for (const row of [0, 1, Math.floor(cloud.count / 2), cloud.count - 1]) expect(Number(x.get(row))).toBeCloseTo(positions[row]!, 2);
    } finally {
      if (previous !== null) compressionRegistry.set(CompressionType.LZ4_FRAME, previous);
    }
  });
});
