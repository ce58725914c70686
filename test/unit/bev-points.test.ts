import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createBevGrid } from '../../src/sensors/bev/grid.js';
import { rasterizePoints } from '../../src/sensors/bev/rasterize-points.js';
import type { PointColumns } from '../../src/sensors/projection/project.js';
import { describeWithSharedData, sharedDataPath } from '../helpers/shared-data.js';

function columns(xyz: [number, number, number][]): PointColumns {
  return {
    x: Float32Array.from(xyz.map((point) => point[0])),
    y: Float32Array.from(xyz.map((point) => point[1])),
    z: Float32Array.from(xyz.map((point) => point[2])),
  };
}

describe('BEV raster on a tiny cloud', () => {
  // A 2 m x 2 m grid at 1 m per pixel: cells (row, column) cover x in [column - 1, column) and y in [row - 1, row).
  const range = { xMin: -1, xMax: 1, yMin: -1, yMax: 1 };
  const cloud = columns([
    [-0.5, -0.5, 1], // row 0, column 0
    [-0.2, -0.9, 3], // row 0, column 0
    [0.5, -0.5, 2], // row 0, column 1
    [0.5, 0.5, -1], // row 1, column 1
    [0.9, 0.1, 4], // row 1, column 1
    [0.1, 0.9, 0], // row 1, column 1
    [1.5, 0, 9], // outside
  ]);

  it('density counts per cell', () => {
    const raster = rasterizePoints(cloud, { mode: 'density', resolution: 1, range });

    expect([raster.grid.width, raster.grid.height]).toEqual([2, 2]);
    expect(Array.from(raster.values)).toEqual([2, 1, 0, 3]);
    expect(raster.pointsInside).toBe(6);
  });

  it('max height per cell', () => {
    const raster = rasterizePoints(cloud, { mode: 'max-height', resolution: 1, range });

    expect(Array.from(raster.values)).toEqual([3, 2, Number.NaN, 4]);
  });

  it('north-up rotates by yaw', () => {
    // Yaw 90 degrees: the ego's forward (+x) points along the site's +y.
    const forward = columns([[0.5, 0, 7]]);
    const raster = rasterizePoints(forward, { mode: 'density', resolution: 1, range, orientation: 'north-up', pose: { x: 100, y: 50, yaw: Math.PI / 2 } });

    expect(Array.from(raster.values)).toEqual([0, 0, 0, 1]);
  });

  it('north-up needs a pose', () => {
    expect(() => rasterizePoints(cloud, { mode: 'density', resolution: 1, range, orientation: 'north-up' })).toThrow(/needs the ego pose/);
  });

  it('rejects a bad resolution', () => {
    expect(() => createBevGrid(range, 0)).toThrow(/positive number of metres per pixel, got 0/);
    expect(() => createBevGrid({ xMin: 1, xMax: 1, yMin: 0, yMax: 1 }, 0.1)).toThrow(/range is empty/);
  });

  it('keeps the last cell', () => {
    expect(createBevGrid({ xMin: 0, xMax: 70.4, yMin: -40, yMax: 40 }, 0.1)).toMatchObject({ width: 704, height: 800 });
  });
});

describeWithSharedData(['kitti-nuscenes-demo', 'kitti'], 'BEV raster on the KITTI demo cloud', () => {
  const bytes = readFileSync(sharedDataPath('kitti-nuscenes-demo', 'kitti', '000008.bin'));
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const count = floats.length / 4;
  const points = { x: new Float32Array(count), y: new Float32Array(count), z: new Float32Array(count) };
  for (let i = 0; i < count; i++) {
    points.x[i] = floats[i * 4] ?? Number.NaN;
    points.y[i] = floats[i * 4 + 1] ?? Number.NaN;
    points.z[i] = floats[i * 4 + 2] ?? Number.NaN;
  }
  const options = { resolution: 0.2, range: { xMin: 0, xMax: 40, yMin: -20, yMax: 20 } };

  // Reference numbers computed with NumPy on the same file and grid.
  it('density matches reference', () => {
    const raster = rasterizePoints(points, { ...options, mode: 'density' });
    const occupied = raster.values.filter((value) => value > 0).length;

    expect(raster.pointsInside).toBe(16618);
    expect(occupied).toBe(2905);
    expect(Math.max(...raster.values)).toBe(115);
    expect(raster.values[110 * 200 + 17]).toBe(115);
  });

  it('max height matches reference', () => {
    const raster = rasterizePoints(points, { ...options, mode: 'max-height' });

    expect(raster.values[110 * 200 + 17]).toBeCloseTo(-0.209, 5);
    expect(raster.values[9 * 200 + 199]).toBeCloseTo(1.688, 5);
  });
});
