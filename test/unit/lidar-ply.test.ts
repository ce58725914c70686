// PLY reader: round trips of every scalar type in ascii and both binary byte orders, with face
// elements (list properties) before and after the vertices, and malformed headers and bodies.
import { describe, expect, test } from 'vitest';

import { PointCloudError, readPly } from '../../src/sensors/lidar/index.js';

type Encoding = 'ascii' | 'binary_little_endian' | 'binary_big_endian';

interface Property {
  type: string;
  name: string;
}

const SETTERS: Record<string, [number, (view: DataView, offset: number, value: number, little: boolean) => void]> = {
  char: [1, (view, offset, value) => view.setInt8(offset, value)],
  int8: [1, (view, offset, value) => view.setInt8(offset, value)],
  uchar: [1, (view, offset, value) => view.setUint8(offset, value)],
  uint8: [1, (view, offset, value) => view.setUint8(offset, value)],
  short: [2, (view, offset, value, little) => view.setInt16(offset, value, little)],
  int16: [2, (view, offset, value, little) => view.setInt16(offset, value, little)],
  ushort: [2, (view, offset, value, little) => view.setUint16(offset, value, little)],
  uint16: [2, (view, offset, value, little) => view.setUint16(offset, value, little)],
  int: [4, (view, offset, value, little) => view.setInt32(offset, value, little)],
  int32: [4, (view, offset, value, little) => view.setInt32(offset, value, little)],
  uint: [4, (view, offset, value, little) => view.setUint32(offset, value, little)],
  uint32: [4, (view, offset, value, little) => view.setUint32(offset, value, little)],
  float: [4, (view, offset, value, little) => view.setFloat32(offset, value, little)],
  float32: [4, (view, offset, value, little) => view.setFloat32(offset, value, little)],
  double: [8, (view, offset, value, little) => view.setFloat64(offset, value, little)],
  float64: [8, (view, offset, value, little) => view.setFloat64(offset, value, little)],
};

/** Encodes the scalars in `values`, typed by `types`, as one ascii line or packed binary. */
function encodeValues(types: string[], values: number[], encoding: Encoding): Uint8Array {
  if (encoding === 'ascii') return new TextEncoder().encode(values.join(' ') + '\n');
  const size = types.reduce((sum, type) => sum + (SETTERS[type] as [number, unknown])[0], 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  types.forEach((type, index) => {
    const [width, set] = SETTERS[type] as [number, (view: DataView, offset: number, value: number, little: boolean) => void];
    set(view, offset, values[index] as number, encoding === 'binary_little_endian');
    offset += width;
  });
  return bytes;
}

/** Writes a PLY file with a vertex element and a face element (uchar-counted int lists), faces first when asked. */
function writePly(properties: Property[], vertices: number[][], faces: number[][], encoding: Encoding, facesFirst: boolean): Uint8Array {
  const vertexHeader = [`element vertex ${vertices.length}`, ...properties.map((property) => `property ${property.type} ${property.name}`)];
  const faceHeader = [`element face ${faces.length}`, 'property list uchar int vertex_indices', 'property uchar flag'];
  const header = ['ply', `format ${encoding} 1.0`, 'comment written by the Apron PLY test', ...(facesFirst ? [...faceHeader, ...vertexHeader] : [...vertexHeader, ...faceHeader]), 'end_header', ''].join('\n');

  const vertexChunks = vertices.map((values) => encodeValues(properties.map((property) => property.type), values, encoding));
  const faceChunks = faces.map((indices) => encodeValues(['uchar', ...indices.map(() => 'int'), 'uchar'], [indices.length, ...indices, 7], encoding));
  const chunks = [new TextEncoder().encode(header), ...(facesFirst ? [...faceChunks, ...vertexChunks] : [...vertexChunks, ...faceChunks])];

  const file = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    file.set(chunk, offset);
    offset += chunk.length;
  }
  return file;
}

const PROPERTIES: Property[] = [
  { type: 'float', name: 'x' },
  { type: 'float32', name: 'y' },
  { type: 'double', name: 'z' },
  { type: 'char', name: 'c' },
  { type: 'uchar', name: 'intensity' },
  { type: 'short', name: 's' },
  { type: 'ushort', name: 'ring' },
  { type: 'int', name: 'i' },
  { type: 'uint', name: 'u' },
  { type: 'int8', name: 'i8' },
  { type: 'uint16', name: 'u16' },
  { type: 'float64', name: 'time' },
];

const VERTICES = [
  [1.5, -2.25, 3.0000001, -128, 255, -32768, 65535, -2147483648, 4294967295, 127, 1, 1605333546.7827358],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  [-7.75, 100.5, -1e-9, 5, 6, 7, 8, 9, 10, -11, 12, 13.5],
];
const FACES = [[0, 1, 2], [2, 1, 0, 1]];

function expectPlyError(bytes: Uint8Array, pattern: RegExp): void {
  let caught: unknown;
  try {
    readPly(bytes, 'test.ply');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PointCloudError);
  expect((caught as PointCloudError).message).toContain('test.ply');
  expect((caught as PointCloudError).message).toMatch(pattern);
}

describe('readPly', () => {
  for (const encoding of ['ascii', 'binary_little_endian', 'binary_big_endian'] as const) {
    for (const facesFirst of [false, true]) {
      test(`${encoding} round trip, faces ${facesFirst ? 'first' : 'last'}`, () => {
        const cloud = readPly(writePly(PROPERTIES, VERTICES, FACES, encoding, facesFirst), 'round-trip.ply');

        expect(cloud.count).toBe(3);
        expect(cloud.fields.map((field) => field.name)).toEqual(PROPERTIES.map((property) => property.name));
        for (let p = 0; p < 3; p++) {
          const expected = (VERTICES[p] as number[]).map((value, index) => (index <= 1 ? Math.fround(value) : value));
          expect(cloud.fields.map((field) => field.values[p])).toEqual(expected);
        }
      });
    }
  }

  test('CRLF header is accepted', () => {
    const bytes = new TextEncoder().encode('ply\r\nformat ascii 1.0\r\nelement vertex 1\r\nproperty float x\r\nproperty float y\r\nproperty float z\r\nend_header\r\n1 2 3\r\n');

    expect(readPly(bytes, 'crlf.ply').fields.map((field) => field.values[0])).toEqual([1, 2, 3]);
  });

  test('vertex count beyond the data', () => {
    const binary = writePly(PROPERTIES, VERTICES, FACES, 'binary_little_endian', false);
    const headerLength = new TextDecoder('latin1').decode(binary).indexOf('end_header\n') + 11;
    const forgedHeader = new TextEncoder().encode(new TextDecoder().decode(binary.subarray(0, headerLength)).replace('element vertex 3', 'element vertex 3000000000'));
    const forged = new Uint8Array(forgedHeader.length + binary.length - headerLength);
    forged.set(forgedHeader);
    forged.set(binary.subarray(headerLength), forgedHeader.length);
    expectPlyError(forged, /declares 3000000000 vertices of 41 bytes, but only \d+ bytes follow/);

    const ascii = new TextEncoder().encode(new TextDecoder().decode(writePly(PROPERTIES, VERTICES, [], 'ascii', false)).replace('element vertex 3', 'element vertex 4'));
    expectPlyError(ascii, /declares 4 vertices of 12 values, but the ascii data contains fewer values/);
  });

  test('face list passing the end', () => {
    const bytes = writePly(PROPERTIES, VERTICES, FACES, 'binary_little_endian', true);
    const headerEnd = new TextDecoder('latin1').decode(bytes).indexOf('end_header\n') + 11;
    bytes[headerEnd] = 250;

    expectPlyError(bytes, /element "face" runs past the end of the file/);
  });

  test('unknown property type', () => {
    const bytes = new TextEncoder().encode('ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n1\n');
    expectPlyError(bytes, /unknown property type "float128"/);
  });

  test('missing vertex element or xyz', () => {
    expectPlyError(new TextEncoder().encode('ply\nformat ascii 1.0\nelement face 0\nproperty list uchar int vertex_indices\nend_header\n'), /no vertex element/);
    expectPlyError(new TextEncoder().encode('ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n'), /no x, y and z fields/);
  });

  test('not a PLY file', () => {
    expectPlyError(new TextEncoder().encode('solid cube\nfacet normal 0 0 1\n'), /not a PLY file/);
    expectPlyError(new TextEncoder().encode('ply\nformat binary_middle_endian 1.0\nend_header\n'), /PLY format "binary_middle_endian" is unknown/);
  });

  test('invalid ascii number', () => {
    const bytes = new TextEncoder().encode('ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 two 3\n');
    expectPlyError(bytes, /vertex 0 has an invalid number "two"/);
  });
});

describe('readPly limits', () => {
  test('huge empty element is skipped quickly', () => {
    const header = 'ply\nformat ascii 1.0\nelement marker 3000000000\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\n';
    const started = performance.now();
    const cloud = readPly(new TextEncoder().encode(header), 'markers.ply');

    expect(cloud.count).toBe(1);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
