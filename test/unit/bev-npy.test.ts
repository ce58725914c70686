import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNpy, readNpyFile } from '../../src/sensors/bev/npy.js';
import { cityToRaster, cropRaster, parseSim2Json, rasterToCity, sampleRaster } from '../../src/sensors/bev/sim2.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

const log = '7fab2350-7eaf-3b7e-a39d-6937a4c1bede';

function mapFile(suffix: string): string {
  const folder = sharedDataPath('argoverse2-sample', log, 'map');
  const name = readdirSync(folder).find((file) => file.endsWith(suffix)) ?? `missing${suffix}`;
  return sharedDataPath('argoverse2-sample', log, 'map', name);
}

/** Builds a version 1 `.npy` file with the given header dict and data bytes. */
function npyBytes(header: string, data: Uint8Array): Uint8Array {
  const padded = header.padEnd(118, ' ') + '\n';
  const bytes = new Uint8Array(10 + padded.length + data.length);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(bytes.buffer).setUint16(8, padded.length, true);
  bytes.set(new TextEncoder().encode(padded), 10);
  bytes.set(data, 10 + padded.length);
  return bytes;
}

describe.skipIf(!hasSharedData('argoverse2-sample', log, 'map'))('Argoverse 2 ground-height raster', () => {
  it('shape and values', async () => {
    const raster = await readNpyFile(mapFile('_ground_height_surface____PIT.npy'));
    const at = (row: number, column: number): number | undefined => raster.data[row * 880 + column];

    expect(raster.dtype).toBe('float16');
    expect(raster.shape).toEqual([785, 880]);
    expect(at(0, 0)).toBe(63);
    expect(at(400, 400)).toBe(67.4375);
    expect(at(784, 879)).toBe(69.75);
    const missing = raster.data.filter(Number.isNaN).length / raster.data.length;
    expect(missing).toBeCloseTo(0.3719, 3);
  });

  it('sample and crop at the ego', async () => {
    const raster = await readNpyFile(mapFile('_ground_height_surface____PIT.npy'));
    const sim2 = parseSim2Json(readFileSync(mapFile('___img_Sim2_city.json'), 'utf8'), 'sim2.json');
    const [column, row] = cityToRaster(sim2, 5224, 2385);

    expect(column).toBeCloseTo(505.332, 3);
    expect(row).toBeCloseTo(336.999, 3);
    expect(sampleRaster(raster, sim2, 5224, 2385)).toBe(68.8125);
    expect(sampleRaster(raster, sim2, 0, 0)).toBeNaN();

    const crop = cropRaster(raster, sim2, 5224, 2385, 64);
    expect([crop.column0, crop.row0]).toEqual([473, 304]);
    expect(crop.values[32 * 64 + 32]).toBe(68.8125);
    expect(crop.values[0]).toBe(68.5625);
    expect(crop.values.filter(Number.isNaN).length).toBe(0);
  });
});

describe('Sim(2) transform', () => {
  const text = JSON.stringify({ R: [0, -1, 1, 0], t: [-10, 5], s: 2 });

  it('round trip', () => {
    const sim2 = parseSim2Json(text, 'sim2.json');
    const [column, row] = cityToRaster(sim2, 3, 4);

    // R · (3, 4) = (-4, 3); plus t = (-14, 8); times s = (-28, 16).
    expect([column, row]).toEqual([-28, 16]);
    const [x, y] = rasterToCity(sim2, column, row);
    expect(x).toBeCloseTo(3, 12);
    expect(y).toBeCloseTo(4, 12);
  });

  it('missing scale is named', () => {
    expect(() => parseSim2Json(JSON.stringify({ R: [1, 0, 0, 1], t: [0, 0] }), 'sim2.json')).toThrow(/sim2\.json: "s" must be a positive number/);
  });

  it('singular rotation is rejected', () => {
    expect(() => parseSim2Json(JSON.stringify({ R: [1, 2, 2, 4], t: [0, 0], s: 1 }), 'sim2.json')).toThrow(/is singular/);
  });

  it('malformed rotation is named', () => {
    expect(() => parseSim2Json(JSON.stringify({ R: [1, 0, 0], t: [0, 0], s: 1 }), 'sim2.json')).toThrow(/"R" is missing or is not a list of 4 numbers/);
  });

  it('crop outside is NaN', () => {
    const sim2 = parseSim2Json(JSON.stringify({ R: [1, 0, 0, 1], t: [0, 0], s: 1 }), 'sim2.json');
    const raster = { dtype: 'float32' as const, shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) };
    const crop = cropRaster(raster, sim2, 0.5, 0.5, 3);

    expect([crop.column0, crop.row0]).toEqual([-1, -1]);
    expect(Array.from(crop.values)).toEqual([NaN, NaN, NaN, NaN, 1, 2, NaN, 3, 4]);
  });
});

describe('npy reader', () => {
  it('reads float32', () => {
    const data = new Uint8Array(Float32Array.from([1.5, -2, Number.NaN, 7]).buffer);
    const array = parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", data), 'a.npy');

    expect(array.shape).toEqual([2, 2]);
    expect(Array.from(array.data)).toEqual([1.5, -2, Number.NaN, 7]);
  });

  it('reads float16 specials', () => {
    // 0x3c00 = 1, 0xc000 = -2, 0x7e00 = NaN, 0x0001 = smallest subnormal, 0x7c00 = +Infinity.
    const halves = Uint16Array.from([0x3c00, 0xc000, 0x7e00, 0x0001, 0x7c00]);
    const array = parseNpy(npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (5,), }", new Uint8Array(halves.buffer)), 'a.npy');

    expect(Array.from(array.data)).toEqual([1, -2, Number.NaN, Math.fround(2 ** -24), Infinity]);
  });

  it('rejects a wrong magic', () => {
    expect(() => parseNpy(new TextEncoder().encode('PK\u0003\u0004 not an npy'), 'b.npy')).toThrow(/b\.npy is not a \.npy file/);
  });

  it('rejects a header past the end', () => {
    const bytes = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(0)).subarray(0, 40);
    expect(() => parseNpy(bytes, 'c.npy')).toThrow(/declares a 119-byte header but only 30 bytes follow/);
  });

  it('rejects a malformed header', () => {
    expect(() => parseNpy(npyBytes("{'descr': '<f4', 'shape': (1,), }", new Uint8Array(4)), 'd.npy')).toThrow(/d\.npy has a malformed header/);
  });

  it('rejects truncated data', () => {
    const bytes = npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (785, 880), }", new Uint8Array(1000));
    expect(() => parseNpy(bytes, 'e.npy')).toThrow(/e\.npy is truncated: shape \(785, 880\) needs 1381600 data bytes but 1000 are present/);
  });

  it('rejects an unsupported dtype', () => {
    expect(() => parseNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), 'f.npy')).toThrow(/unsupported dtype '<f8'/);
    expect(() => parseNpy(npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), 'f.npy')).toThrow(/unsupported dtype '>f4'/);
  });

  it('rejects Fortran order', () => {
    expect(() => parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new Uint8Array(4)), 'g.npy')).toThrow(/Fortran/);
  });

  it('missing file is unreadable', async () => {
    await expect(readNpyFile('/nonexistent/raster.npy')).rejects.toMatchObject({ code: 'unreadable-file', path: '/nonexistent/raster.npy' });
  });
});
