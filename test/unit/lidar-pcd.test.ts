// PCD reader: every declared type and COUNT in all three DATA encodings, LZF decoding checked
// against the ASCII copy of a real cloud, and headers that disagree with their data.
import { readFileSync } from 'node:fs';

import { describe, expect, test } from 'vitest';

import { lzfDecompress, PointCloudError, readPcd, type PointCloud } from '../../src/sensors/lidar/index.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

interface FieldSpec {
  name: string;
  type: 'F' | 'I' | 'U';
  size: number;
  count: number;
}

type Encoding = 'ascii' | 'binary' | 'binary_compressed';

/** Greedy LZF compressor (3-byte hash, distances up to 8192, lengths up to 264), for writing test files. */
function lzfCompress(input: Uint8Array): Uint8Array {
  const output: number[] = [];
  const lastSeen = new Map<number, number>();
  let literals: number[] = [];
  const flushLiterals = (): void => {
    while (literals.length > 0) {
      const run = literals.splice(0, 32);
      output.push(run.length - 1, ...run);
    }
  };

  let i = 0;
  while (i < input.length) {
    if (i + 2 < input.length) {
      const key = (input[i] as number) | ((input[i + 1] as number) << 8) | ((input[i + 2] as number) << 16);
      const candidate = lastSeen.get(key);
      lastSeen.set(key, i);
      if (candidate !== undefined && i - candidate - 1 < 8192) {
        const maxLength = Math.min(264, input.length - i);
        let length = 0;
        while (length < maxLength && input[candidate + length] === input[i + length]) length++;
        if (length >= 3) {
          flushLiterals();
          const distance = i - candidate - 1;
          const encodedLength = length - 2;
          if (encodedLength < 7) output.push((encodedLength << 5) | (distance >> 8), distance & 255);
          else output.push((7 << 5) | (distance >> 8), encodedLength - 7, distance & 255);
          i += length;
          continue;
        }
      }
    }
    literals.push(input[i] as number);
    i++;
  }
  flushLiterals();
  return Uint8Array.from(output);
}

function writeValue(view: DataView, offset: number, field: FieldSpec, value: number): void {
  const key = `${field.type}${field.size}`;
  if (key === 'F4') view.setFloat32(offset, value, true);
  else if (key === 'F8') view.setFloat64(offset, value, true);
  else if (key === 'I1') view.setInt8(offset, value);
  else if (key === 'I2') view.setInt16(offset, value, true);
  else if (key === 'I4') view.setInt32(offset, value, true);
  else if (key === 'I8') view.setBigInt64(offset, BigInt(value), true);
  else if (key === 'U1') view.setUint8(offset, value);
  else if (key === 'U2') view.setUint16(offset, value, true);
  else if (key === 'U4') view.setUint32(offset, value, true);
  else view.setBigUint64(offset, BigInt(value), true);
}

/** Writes a PCD file; each row lists every value of one point, fields in order. */
function writePcd(fields: FieldSpec[], rows: number[][], encoding: Encoding, headerOverrides: Record<string, string> = {}): Uint8Array {
  const header: Record<string, string> = {
    VERSION: '0.7',
    FIELDS: fields.map((field) => field.name).join(' '),
    SIZE: fields.map((field) => field.size).join(' '),
    TYPE: fields.map((field) => field.type).join(' '),
    COUNT: fields.map((field) => field.count).join(' '),
    WIDTH: String(rows.length),
    HEIGHT: '1',
    VIEWPOINT: '0 0 0 1 0 0 0',
    POINTS: String(rows.length),
    DATA: encoding,
    ...headerOverrides,
  };
  const headerText = '# .PCD v0.7 - Point Cloud Data file format\n' + Object.entries(header).map(([key, value]) => `${key} ${value}`).join('\n') + '\n';
  const headerBytes = new TextEncoder().encode(headerText);

  let body: Uint8Array;
  if (encoding === 'ascii') {
    body = new TextEncoder().encode(rows.map((values) => values.join(' ')).join('\n') + '\n');
  } else {
    const pointSize = fields.reduce((sum, field) => sum + field.size * field.count, 0);
    const raw = new Uint8Array(pointSize * rows.length);
    const view = new DataView(raw.buffer);
    let fieldOffset = 0;
    let blockStart = 0;
    let valueIndex = 0;
    for (const field of fields) {
      for (let p = 0; p < rows.length; p++) {
        for (let k = 0; k < field.count; k++) {
          const offset = encoding === 'binary' ? p * pointSize + fieldOffset + k * field.size : blockStart + (p * field.count + k) * field.size;
          writeValue(view, offset, field, (rows[p] as number[])[valueIndex + k] as number);
        }
      }
      fieldOffset += field.size * field.count;
      blockStart += rows.length * field.size * field.count;
      valueIndex += field.count;
    }
    if (encoding === 'binary') {
      body = raw;
    } else {
      const compressed = lzfCompress(raw);
      body = new Uint8Array(8 + compressed.length);
      new DataView(body.buffer).setUint32(0, compressed.length, true);
      new DataView(body.buffer).setUint32(4, raw.length, true);
      body.set(compressed, 8);
    }
  }

  const file = new Uint8Array(headerBytes.length + body.length);
  file.set(headerBytes);
  file.set(body, headerBytes.length);
  return file;
}

function column(cloud: PointCloud, name: string): number[] {
  const values = cloud.fields.find((field) => field.name === name)?.values;
  if (values === undefined) throw new Error(`test cloud has no field ${name}`);
  return Array.from(values);
}

const ALL_TYPES: FieldSpec[] = [
  { name: 'x', type: 'F', size: 4, count: 1 },
  { name: 'y', type: 'F', size: 4, count: 1 },
  { name: 'z', type: 'F', size: 8, count: 1 },
  { name: 'i8', type: 'I', size: 1, count: 1 },
  { name: 'i16', type: 'I', size: 2, count: 1 },
  { name: 'i32', type: 'I', size: 4, count: 1 },
  { name: 'i64', type: 'I', size: 8, count: 1 },
  { name: 'u8', type: 'U', size: 1, count: 1 },
  { name: 'u16', type: 'U', size: 2, count: 1 },
  { name: 'u32', type: 'U', size: 4, count: 1 },
  { name: 'u64', type: 'U', size: 8, count: 1 },
  { name: 'normal', type: 'F', size: 4, count: 3 },
];

const ALL_TYPE_ROWS = [
  [1.5, -2.25, 3.125, -128, -32768, -2147483648, -9007199254740991, 255, 65535, 4294967295, 9007199254740991, 0.5, 0.25, -1],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  [-7.75, 100.5, 1e-3, 127, 32767, 2147483647, 123456789012, 1, 2, 3, 4, 1, 0, 0],
];

const XYZ: FieldSpec[] = [
  { name: 'x', type: 'F', size: 4, count: 1 },
  { name: 'y', type: 'F', size: 4, count: 1 },
  { name: 'z', type: 'F', size: 4, count: 1 },
];

function expectPcdError(bytes: Uint8Array, pattern: RegExp): void {
  let caught: unknown;
  try {
    readPcd(bytes, 'test.pcd');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PointCloudError);
  expect((caught as PointCloudError).code).toBe('unreadable-file');
  expect((caught as PointCloudError).message).toContain('test.pcd');
  expect((caught as PointCloudError).message).toMatch(pattern);
}

describe('readPcd', () => {
  for (const encoding of ['ascii', 'binary', 'binary_compressed'] as const) {
    test(`${encoding} reads every type and COUNT`, () => {
      const cloud = readPcd(writePcd(ALL_TYPES, ALL_TYPE_ROWS, encoding), 'types.pcd');

      expect(cloud.count).toBe(3);
      expect(cloud.fields.map((field) => field.name)).toEqual(['x', 'y', 'z', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'normal_0', 'normal_1', 'normal_2']);
      for (let p = 0; p < 3; p++) {
        expect(cloud.fields.map((field) => field.values[p])).toEqual((ALL_TYPE_ROWS[p] as number[]).map((value, index) => (index === 1 || index === 0 || index >= 11 ? Math.fround(value) : value)));
      }
    });
  }

  test('NaN positions are dropped and counted', () => {
    const rows = [[1, 2, 3], [Number.NaN, 0, 0], [4, Number.POSITIVE_INFINITY, 6], [7, 8, 9]];
    for (const encoding of ['binary', 'binary_compressed'] as const) {
      const cloud = readPcd(writePcd(XYZ, rows, encoding), 'organized.pcd');

      expect(cloud.count).toBe(2);
      expect(cloud.droppedNonFinite).toBe(2);
      expect(column(cloud, 'x')).toEqual([1, 7]);
      expect(column(cloud, 'z')).toEqual([3, 9]);
    }
    const ascii = new TextEncoder().encode(new TextDecoder().decode(writePcd(XYZ, [[1.5, 2.5, 3.5], [5.5, 6.5, 7.5]], 'ascii')).replace('5.5 6.5 7.5', 'nan nan nan'));
    expect(readPcd(ascii, 'organized.pcd').droppedNonFinite).toBe(1);
  });

  test('padding fields are skipped', () => {
    const fields: FieldSpec[] = [...XYZ, { name: '_', type: 'U', size: 1, count: 4 }];
    const cloud = readPcd(writePcd(fields, [[1, 2, 3, 0, 0, 0, 0]], 'binary'), 'padded.pcd');

    expect(cloud.fields.map((field) => field.name)).toEqual(['x', 'y', 'z']);
  });

  test('POINTS disagreeing with WIDTH*HEIGHT', () => {
    expectPcdError(writePcd(XYZ, [[1, 2, 3]], 'binary', { POINTS: '2' }), /POINTS 2 but WIDTH \* HEIGHT = 1 \* 1 = 1/);
  });

  test('binary data shorter than declared', () => {
    expectPcdError(writePcd(XYZ, [[1, 2, 3]], 'binary', { WIDTH: '2', POINTS: '2' }), /binary data has 12 bytes, but 2 points of 12 bytes need 24/);
  });

  test('ascii data with missing lines', () => {
    expectPcdError(writePcd(XYZ, [[1.25, 2.25, 3.25], [4.25, 5.25, 6.25], [7.25, 8.25, 9.25]], 'ascii', { WIDTH: '4', POINTS: '4' }), /ascii data has 3 points, but the header declares 4/);
    expectPcdError(writePcd(XYZ, [[1, 2, 3], [4, 5, 6], [7, 8, 9]], 'ascii', { WIDTH: '4', POINTS: '4' }), /declares 4 points but the ascii data has only 18 bytes/);
  });

  test('ascii line with wrong value count', () => {
    expectPcdError(writePcd(XYZ, [[1.25, 2.25, 3.25], [4.25, 5.25]], 'ascii'), /line 2 has 2 values, expected 3/);
  });

  test('ascii invalid number', () => {
    expectPcdError(writePcd(XYZ, [[1, 2, 3], [4, 5, 6]], 'ascii').map((byte) => (byte === 0x35 ? 0x71 : byte)), /invalid number "q"/);
  });

  test('unknown field type', () => {
    expectPcdError(writePcd(XYZ, [[1, 2, 3]], 'binary', { TYPE: 'F F X' }), /unknown TYPE X with SIZE 4/);
    expectPcdError(writePcd(XYZ, [[1, 2, 3]], 'binary', { SIZE: '4 4 2' }), /unknown TYPE F with SIZE 2/);
  });

  test('billions of declared points', () => {
    const huge = { WIDTH: '3000000000', POINTS: '3000000000' };
    const started = performance.now();

    expectPcdError(writePcd(XYZ, [[1, 2, 3]], 'binary', huge), /3000000000 points of 12 bytes need 36000000000/);
    expectPcdError(writePcd(XYZ, [[1, 2, 3]], 'ascii', huge), /declares 3000000000 points but the ascii data has only/);
    expectPcdError(writePcd(XYZ, [[1, 2, 3]], 'binary_compressed', huge), /declares 12 uncompressed bytes, but 3000000000 points/);
    expect(performance.now() - started).toBeLessThan(500);
  });

  test('compressed size larger than the file', () => {
    const bytes = writePcd(XYZ, [[1, 2, 3], [4, 5, 6]], 'binary_compressed');
    const dataStart = bytes.length - (bytes.length - new TextDecoder('latin1').decode(bytes).indexOf('binary_compressed\n') - 18);
    new DataView(bytes.buffer).setUint32(dataStart, 1_000_000, true);

    expectPcdError(bytes, /declares 1000000 compressed bytes but only \d+ follow/);
  });

  test('uncompressed size beyond LZF expansion', () => {
    const fields: FieldSpec[] = [...XYZ, { name: 'pad', type: 'U', size: 1, count: 4000 }];
    const bytes = writePcd(fields, [[1, 2, 3, ...new Array<number>(4000).fill(0)]], 'binary_compressed');
    const text = new TextDecoder('latin1').decode(bytes);
    const dataStart = text.indexOf('binary_compressed\n') + 18;
    new DataView(bytes.buffer).setUint32(dataStart, 10, true);

    expectPcdError(bytes, /more than LZF can encode/);
  });

  test('corrupt LZF stream', () => {
    const bytes = writePcd(XYZ, [[1, 2, 3], [1, 2, 3], [1, 2, 3]], 'binary_compressed');
    const text = new TextDecoder('latin1').decode(bytes);
    const dataStart = text.indexOf('binary_compressed\n') + 18;
    // A back-reference as the very first control byte points before the output start.
    bytes[dataStart + 8] = 0x20;

    expectPcdError(bytes, /corrupt LZF data: back-reference .* before the start/);
  });

  test('missing DATA line', () => {
    expectPcdError(new TextEncoder().encode('VERSION 0.7\nFIELDS x y z\n'), /no DATA line/);
  });
});

describe('lzfDecompress', () => {
  test('literal run and overlapping back-reference', () => {
    // "ab" then a back-reference of length 6 at distance 2 repeats it: "abababab".
    const decoded = lzfDecompress(Uint8Array.from([1, 0x61, 0x62, (4 << 5) | 0, 1]), 8);

    expect(decoded).toEqual(new TextEncoder().encode('abababab'));
  });

  test('long back-reference with length byte', () => {
    const decoded = lzfDecompress(Uint8Array.from([0, 0x7a, (7 << 5) | 0, 100, 0]), 110);

    expect(decoded).toEqual(new Uint8Array(110).fill(0x7a));
  });

  test('corrupt streams return a problem', () => {
    expect(lzfDecompress(Uint8Array.from([5, 1, 2]), 6)).toMatch(/runs past the end/);
    expect(lzfDecompress(Uint8Array.from([1, 1, 2]), 1)).toMatch(/overflows the declared 1 bytes/);
    expect(lzfDecompress(Uint8Array.from([0, 1, 0x20]), 4)).toMatch(/ends inside a back-reference distance/);
    expect(lzfDecompress(Uint8Array.from([0, 1, 0xe0]), 4)).toMatch(/ends inside a back-reference length/);
    expect(lzfDecompress(Uint8Array.from([0, 1, 0x20, 5]), 4)).toMatch(/before the start/);
    expect(lzfDecompress(Uint8Array.from([0, 1]), 4)).toMatch(/decodes to 1 bytes, not the declared 4/);
  });
});

describe.skipIf(!hasSharedData('pjlab-lidar-camera'))('LZF against the ASCII cloud', () => {
  test('binary_compressed copy matches ascii', () => {
    const asciiBytes = readFileSync(sharedDataPath('pjlab-lidar-camera', 'pair1_manual_calib', '0.pcd'));
    const ascii = readPcd(asciiBytes, '0.pcd');
    const fields: FieldSpec[] = [...XYZ, { name: 'intensity', type: 'F', size: 4, count: 1 }];
    const rows = Array.from({ length: ascii.count }, (_, p) => ascii.fields.map((field) => field.values[p] as number));

    const compressed = writePcd(fields, rows, 'binary_compressed');
    const decoded = readPcd(compressed, '0-compressed.pcd');

    // The compressor must have emitted back-references, or this would test literal runs only.
    expect(compressed.length).toBeLessThan(ascii.count * 16 * 0.9);
    expect(decoded.count).toBe(78238);
    for (const name of ['x', 'y', 'z', 'intensity']) expect(column(decoded, name)).toEqual(column(ascii, name));
  });
});
