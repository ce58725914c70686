// Malformed input for the fixed-record, Feather and LZ4 readers, and the file-level entry point.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { ApronError } from '../../src/core/errors.js';
import {
  detectPointCloudFormat,
  lz4FrameDecompress,
  PointCloudError,
  readArgoverse2Feather,
  readKittiBin,
  readNuscenesBin,
  readPointCloudFile,
} from '../../src/sensors/lidar/index.js';

function floatBytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

function expectReadError(read: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    read();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PointCloudError);
  expect((caught as PointCloudError).code).toBe('unreadable-file');
  expect((caught as PointCloudError).message).toMatch(pattern);
}

const scratch = mkdtempSync(join(tmpdir(), 'apron-lidar-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('fixed-record readers', () => {
  test('kitti size not a multiple of 16', () => {
    expectReadError(() => readKittiBin(floatBytes([1, 2, 3, 4, 5]), 'frame.bin'), /frame\.bin: its size \(20 bytes\) is not a multiple of the 16-byte record/);
  });

  test('nuscenes size not a multiple of 20', () => {
    expectReadError(() => readNuscenesBin(floatBytes([1, 2, 3, 4]), 'sweep.pcd.bin'), /sweep\.pcd\.bin: its size \(16 bytes\) is not a multiple of the 20-byte record/);
  });

  test('empty file is an empty cloud', () => {
    const cloud = readKittiBin(new Uint8Array(0), 'empty.bin');

    expect(cloud.count).toBe(0);
    expect(cloud.fields.map((field) => field.values.length)).toEqual([0, 0, 0, 0]);
  });

  test('non-finite positions dropped and counted', () => {
    const cloud = readKittiBin(floatBytes([1, 2, 3, 0.5, Number.NaN, 0, 0, 0.1, 4, 5, Number.NEGATIVE_INFINITY, 0.2, 6, 7, 8, 0.9]), 'gaps.bin');

    expect(cloud.count).toBe(2);
    expect(cloud.droppedNonFinite).toBe(2);
    expect(Array.from(cloud.fields[0]?.values ?? [])).toEqual([1, 6]);
    expect(Array.from(cloud.fields[3]?.values ?? [])).toEqual([0.5, Math.fround(0.9)]);
  });

  test('reads from a subarray offset', () => {
    const padded = new Uint8Array(4 + 16);
    padded.set(floatBytes([9, 8, 7, 6]), 4);
    const cloud = readKittiBin(padded.subarray(4), 'offset.bin');

    expect(cloud.fields.map((field) => field.values[0])).toEqual([9, 8, 7, 6]);
  });
});

describe('readArgoverse2Feather', () => {
  test('not an Arrow file', () => {
    expectReadError(() => readArgoverse2Feather(new TextEncoder().encode('x,y,z\n1,2,3\n'), 'sweep.feather'), /sweep\.feather: not a readable Arrow Feather file/);
  });
});

describe('lz4FrameDecompress', () => {
  // Frame header: magic, FLG (version 01, independent blocks), BD (64 KiB blocks), header checksum byte.
  const header = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82];

  function frame(block: number[], compressed = true): Uint8Array {
    const size = block.length | (compressed ? 0 : 0x80000000);
    return Uint8Array.from([...header, size & 255, (size >>> 8) & 255, (size >>> 16) & 255, size >>> 24, ...block, 0, 0, 0, 0]);
  }

  test('literals and overlapping match', () => {
    // Token 0x24: 2 literals "ab", match length 4 + 4 = 8 at distance 2, then a last literal "c".
    const decoded = lz4FrameDecompress(frame([0x24, 0x61, 0x62, 2, 0, 0x10, 0x63]));

    expect(new TextDecoder().decode(decoded)).toBe('ababababab' + 'c');
  });

  test('uncompressed block', () => {
    expect(lz4FrameDecompress(frame([1, 2, 3], false))).toEqual(Uint8Array.from([1, 2, 3]));
  });

  test('corrupt frames raise', () => {
    expect(() => lz4FrameDecompress(Uint8Array.from([1, 2, 3, 4, 5, 6, 7]))).toThrow(/missing magic number/);
    expect(() => lz4FrameDecompress(frame([0x24, 0x61, 0x62, 9, 0]))).toThrow(/match offset 9 points outside the output/);
    expect(() => lz4FrameDecompress(frame([0xf0, 255, 255]))).toThrow(/ends inside a length extension/);
    expect(() => lz4FrameDecompress(frame([0x50, 1, 2]))).toThrow(/literal run passes the end of its block/);
    expect(() => lz4FrameDecompress(Uint8Array.from([...header, 200, 0, 0, 0, 1]))).toThrow(/block of 200 bytes at offset 11 passes the end/);
    expect(() => lz4FrameDecompress(Uint8Array.from([...header, 1, 0, 0]))).toThrow(/needs 4 bytes/);
  });
});

describe('readPointCloudFile', () => {
  test('format detected from the extension', () => {
    expect(detectPointCloudFormat('/a/b/n015__LIDAR_TOP__1.pcd.bin')).toBe('nuscenes-bin');
    expect(detectPointCloudFormat('000008.BIN')).toBe('kitti-bin');
    expect(detectPointCloudFormat('cloud.pcd')).toBe('pcd');
    expect(detectPointCloudFormat('mesh.ply')).toBe('ply');
    expect(detectPointCloudFormat('315966265259836000.feather')).toBe('argoverse2-feather');
    expect(detectPointCloudFormat('notes.txt')).toBeUndefined();
  });

  test('explicit format overrides the extension', async () => {
    const path = join(scratch, 'sweep.dat');
    writeFileSync(path, floatBytes([1, 2, 3, 4, 5]));

    const cloud = await readPointCloudFile(path, 'nuscenes-bin');
    expect(cloud.fields.map((field) => field.values[0])).toEqual([1, 2, 3, 4, 5]);
  });

  test('unknown extension', async () => {
    await expect(readPointCloudFile(join(scratch, 'notes.txt'))).rejects.toThrow(/extension is not a known point-cloud format/);
  });

  test('missing file', async () => {
    const missing = join(scratch, 'missing.bin');
    const error: unknown = await readPointCloudFile(missing).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApronError);
    expect((error as ApronError).code).toBe('not-found');
    expect((error as ApronError).message).toContain(missing);
  });
});
