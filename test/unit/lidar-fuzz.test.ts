// Seeded mutation fuzzing of every reader on the real files: byte flips, truncations and header
// edits. Each case must either return a consistent cloud or raise PointCloudError; any other
// exception, a hang or a runaway allocation fails the run.
import { readFileSync } from 'node:fs';

import { describe, expect, test } from 'vitest';

import {
  PointCloudError,
  readArgoverse2Feather,
  readKittiBin,
  readNuscenesBin,
  readPcd,
  readPly,
  type PointCloud,
} from '../../src/sensors/lidar/index.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

type Reader = (bytes: Uint8Array, source: string) => PointCloud;

/** mulberry32: a small seeded generator, so every run mutates the same bytes. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER_TOKENS = ['0', '1', '-1', '3', '8', '65536', '4294967296', '99999999999999', 'nan', 'F', 'I', 'U', 'X', 'binary', 'ascii', 'binary_compressed', 'list', 'uchar', 'double', ''];

function headerLength(bytes: Uint8Array): number {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  for (const marker of ['end_header\n', 'DATA ascii\n', 'DATA binary\n', 'DATA binary_compressed\n']) {
    const index = text.indexOf(marker);
    if (index >= 0) return index + marker.length;
  }
  return Math.min(bytes.length, 512);
}

/** Returns a mutated copy of `original`: flipped bytes, a truncation or an edited header token. */
function mutate(original: Uint8Array, random: () => number, kinds: number): { bytes: Uint8Array; description: string } {
  const kind = Math.floor(random() * kinds);
  const header = headerLength(original);

  if (kind === 0) {
    const bytes = original.slice();
    const flips = 1 + Math.floor(random() * 8);
    const inHeader = random() < 0.5;
    const positions: number[] = [];
    for (let i = 0; i < flips; i++) {
      const position = inHeader ? Math.floor(random() * header) : Math.floor(random() * bytes.length);
      bytes[position] = Math.floor(random() * 256);
      positions.push(position);
    }
    return { bytes, description: `byte flips at ${positions.join(',')}` };
  }

  if (kind === 1) {
    const length = random() < 0.5 ? Math.floor(random() * Math.min(original.length, header + 64)) : Math.floor(random() * original.length);
    return { bytes: original.slice(0, length), description: `truncated to ${length}` };
  }

  const text = new TextDecoder('latin1').decode(original.subarray(0, header));
  const tokens = text.split(/( |\n)/);
  const index = Math.floor(random() * tokens.length);
  tokens[index] = HEADER_TOKENS[Math.floor(random() * HEADER_TOKENS.length)] ?? '';
  const edited = Uint8Array.from(Array.from(tokens.join(''), (character) => character.charCodeAt(0) & 255));
  const bytes = new Uint8Array(edited.length + original.length - header);
  bytes.set(edited);
  bytes.set(original.subarray(header), edited.length);
  return { bytes, description: `header token ${index} set to "${tokens[index] ?? ''}"` };
}

function checkCloud(cloud: PointCloud): void {
  expect(Number.isSafeInteger(cloud.count)).toBe(true);
  expect(cloud.count).toBeGreaterThanOrEqual(0);
  expect(Number.isSafeInteger(cloud.droppedNonFinite)).toBe(true);
  expect(cloud.droppedNonFinite).toBeGreaterThanOrEqual(0);
  for (const field of cloud.fields) expect(field.values.length).toBe(cloud.count);
  for (const name of ['x', 'y', 'z']) {
    const values = cloud.fields.find((field) => field.name === name)?.values;
    expect(values).toBeDefined();
    expect(values?.every((value) => Number.isFinite(value))).toBe(true);
  }
}

/**
 * Runs `cases` mutations of `original` through `read`; returns how many raised PointCloudError.
 * `kinds` 3 uses flips, truncations and header edits; 2 leaves out header edits, which shift the bytes after them.
 */
function fuzz(read: Reader, original: Uint8Array, cases: number, seed: number, kinds = 3): number {
  const random = createRandom(seed);
  let rejected = 0;
  for (let i = 0; i < cases; i++) {
    const { bytes, description } = mutate(original, random, kinds);
    let cloud: PointCloud;
    try {
      cloud = read(bytes, 'fuzz-case');
    } catch (error) {
      if (!(error instanceof PointCloudError)) throw new Error(`case ${i} (${description}) raised ${String(error)}`, { cause: error });
      rejected++;
      continue;
    }
    checkCloud(cloud);
  }
  return rejected;
}

/** Keeps the header and the first `points` points of an ascii PCD, so each case parses quickly. */
function shortenAsciiPcd(bytes: Uint8Array, points: number): Uint8Array {
  const text = new TextDecoder('latin1').decode(bytes);
  const header = headerLength(bytes);
  const body = text.slice(header).split('\n').slice(0, points).join('\n') + '\n';
  const shortened = text.slice(0, header).replace(/WIDTH \d+/, `WIDTH ${points}`).replace(/POINTS \d+/, `POINTS ${points}`) + body;
  return Uint8Array.from(Array.from(shortened, (character) => character.charCodeAt(0) & 255));
}

/** Builds a PLY file (one of three encodings) from the first `points` KITTI points, with a face element first. */
function kittiToPly(kitti: Uint8Array, points: number, encoding: 'ascii' | 'binary_little_endian' | 'binary_big_endian'): Uint8Array {
  const source = new DataView(kitti.buffer, kitti.byteOffset, kitti.byteLength);
  const header = `ply\nformat ${encoding} 1.0\nelement face 2\nproperty list uchar int vertex_indices\nelement vertex ${points}\nproperty float x\nproperty float y\nproperty float z\nproperty float intensity\nend_header\n`;
  const faces = [[0, 1, 2], [2, 3, 4, 5]];

  if (encoding === 'ascii') {
    const lines = faces.map((face) => `${face.length} ${face.join(' ')}`);
    for (let p = 0; p < points; p++) lines.push([0, 1, 2, 3].map((k) => source.getFloat32((p * 4 + k) * 4, true)).join(' '));
    return new TextEncoder().encode(header + lines.join('\n') + '\n');
  }

  const little = encoding === 'binary_little_endian';
  const faceBytes = faces.reduce((sum, face) => sum + 1 + face.length * 4, 0);
  const headerBytes = new TextEncoder().encode(header);
  const file = new Uint8Array(headerBytes.length + faceBytes + points * 16);
  const view = new DataView(file.buffer);
  file.set(headerBytes);
  let offset = headerBytes.length;
  for (const face of faces) {
    view.setUint8(offset++, face.length);
    for (const index of face) {
      view.setInt32(offset, index, little);
      offset += 4;
    }
  }
  for (let p = 0; p < points * 4; p++, offset += 4) view.setFloat32(offset, source.getFloat32(p * 4, true), little);
  return file;
}

const KITTI = ['kitti-nuscenes-demo', 'kitti', '000008.bin'];
const NUSCENES = ['kitti-nuscenes-demo', 'nuscenes', 'n015-2018-07-24-11-22-45+0800__LIDAR_TOP__1532402927647951.pcd.bin'];
const ASCII_PCD = ['pjlab-lidar-camera', 'pair1_manual_calib', '0.pcd'];
const COMPRESSED_PCD = ['pjlab-lidar-camera', 'pair2_auto_calib', 'calib.pcd'];
const FEATHER = ['argoverse2-sample', 'adcf7d18-0510-35b0-a2fa-b4cea13a6d76', 'sensors', 'lidar', '315973157959879000.feather'];

describe.skipIf(!hasSharedData('kitti-nuscenes-demo') || !hasSharedData('pjlab-lidar-camera') || !hasSharedData('argoverse2-sample'))('fuzzed real files', () => {
  test('kitti and nuscenes bin', () => {
    const kittiRejected = fuzz(readKittiBin, readFileSync(sharedDataPath(...KITTI)), 600, 1);
    const nuscenesRejected = fuzz(readNuscenesBin, readFileSync(sharedDataPath(...NUSCENES)), 400, 2);

    // Truncations that break the record size must be among the rejections.
    expect(kittiRejected).toBeGreaterThan(0);
    expect(nuscenesRejected).toBeGreaterThan(0);
  });

  test('ascii pcd', () => {
    const rejected = fuzz(readPcd, shortenAsciiPcd(readFileSync(sharedDataPath(...ASCII_PCD)), 300), 800, 3);

    expect(rejected).toBeGreaterThan(0);
  });

  test('binary_compressed pcd', () => {
    const rejected = fuzz(readPcd, readFileSync(sharedDataPath(...COMPRESSED_PCD)), 300, 4);

    expect(rejected).toBeGreaterThan(0);
  });

  test('ply in three encodings', () => {
    const kitti = readFileSync(sharedDataPath(...KITTI));
    let rejected = 0;
    for (const [index, encoding] of (['ascii', 'binary_little_endian', 'binary_big_endian'] as const).entries()) {
      const ply = kittiToPly(kitti, 300, encoding);
      expect(readPly(ply, 'kitti.ply').count).toBe(300);
      rejected += fuzz(readPly, ply, 300, 10 + index);
    }

    expect(rejected).toBeGreaterThan(0);
  });

  test('argoverse 2 feather flips and truncations', () => {
    const rejected = fuzz(readArgoverse2Feather, readFileSync(sharedDataPath(...FEATHER)), 200, 6, 2);

    expect(rejected).toBeGreaterThan(0);
  });

  test('argoverse 2 feather', () => {
    const rejected = fuzz(readArgoverse2Feather, readFileSync(sharedDataPath(...FEATHER)), 200, 5);

    expect(rejected).toBeGreaterThan(0);
  });
});
