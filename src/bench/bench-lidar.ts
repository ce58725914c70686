/**
 * Point-cloud read throughput per format, each beside a naive reader written for this benchmark:
 * a DataView loop that builds one object per point (binary formats) or a split-and-parseFloat
 * loop (ASCII PCD). Files are read into memory first, so the figures are decode speed only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readArgoverse2Feather, readKittiBin, readNuscenesBin, readPcd, type PointCloud } from '../sensors/lidar/index.js';
import type { BenchResult } from './report.js';
import { medianSeconds } from './timing.js';

interface NaivePoint {
  x: number;
  y: number;
  z: number;
  extra: number[];
}

function naiveFloatRecords(bytes: Uint8Array, floatsPerPoint: number): NaivePoint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const points: NaivePoint[] = [];
  for (let offset = 0; offset + floatsPerPoint * 4 <= bytes.length; offset += floatsPerPoint * 4) {
    const extra: number[] = [];
    for (let k = 3; k < floatsPerPoint; k++) extra.push(view.getFloat32(offset + 4 * k, true));
    points.push({ x: view.getFloat32(offset, true), y: view.getFloat32(offset + 4, true), z: view.getFloat32(offset + 8, true), extra });
  }
  return points;
}

function naiveAsciiPcd(bytes: Uint8Array): NaivePoint[] {
  const text = new TextDecoder().decode(bytes);
  const dataStart = text.indexOf('\nDATA ascii');
  const lines = text.slice(text.indexOf('\n', dataStart + 1) + 1).split('\n');
  const points: NaivePoint[] = [];
  for (const line of lines) {
    const values = line.trim().split(/\s+/).map(Number);
    if (values.length < 3) continue;
    points.push({ x: values[0]!, y: values[1]!, z: values[2]!, extra: values.slice(3) });
  }
  return points;
}

interface Case {
  name: string;
  path: string;
  read: (bytes: Uint8Array, source: string) => PointCloud;
  naive: ((bytes: Uint8Array) => NaivePoint[]) | undefined;
}

function findFile(folder: string, suffix: string): string | undefined {
  if (!existsSync(folder)) return undefined;
  const name = readdirSync(folder).find((entry) => entry.endsWith(suffix));
  return name === undefined ? undefined : join(folder, name);
}

export async function benchLidar(dataRoot: string): Promise<BenchResult[]> {
  const argoverseLog = join(dataRoot, 'argoverse2-sample', '7fab2350-7eaf-3b7e-a39d-6937a4c1bede', 'sensors', 'lidar');
  const candidates: (Case | undefined)[] = [
    { name: 'KITTI .bin', path: join(dataRoot, 'kitti-nuscenes-demo', 'kitti', '000008.bin'), read: readKittiBin, naive: (bytes) => naiveFloatRecords(bytes, 4) },
    ((path) => (path === undefined ? undefined : { name: 'nuScenes .pcd.bin', path, read: readNuscenesBin, naive: (bytes: Uint8Array) => naiveFloatRecords(bytes, 5) }))(
      findFile(join(dataRoot, 'kitti-nuscenes-demo', 'nuscenes'), '.pcd.bin'),
    ),
    { name: 'PCD ascii', path: join(dataRoot, 'pjlab-lidar-camera', 'pair1_manual_calib', '0.pcd'), read: readPcd, naive: naiveAsciiPcd },
    { name: 'PCD binary_compressed (LZF)', path: join(dataRoot, 'pjlab-lidar-camera', 'pair3_auto_calib_v2_ours1', 'calib.pcd'), read: readPcd, naive: undefined },
    ((path) => (path === undefined ? undefined : { name: 'Argoverse 2 Feather (LZ4)', path, read: readArgoverse2Feather, naive: undefined }))(findFile(argoverseLog, '.feather')),
  ];

  const results: BenchResult[] = [];
  for (const entry of candidates) {
    if (entry === undefined || !existsSync(entry.path)) continue;
    const bytes = new Uint8Array(readFileSync(entry.path));
    const cloud = entry.read(bytes, entry.path);
    const ours = await medianSeconds(() => entry.read(bytes, entry.path), 5);
    const pointsPerSecond = cloud.count / ours;
    let baseline = 'no naive reader (compressed format)';
    let ratio: number | null = null;
    if (entry.naive !== undefined) {
      const naive = entry.naive;
      const naiveSeconds = await medianSeconds(() => naive(bytes), 5);
      baseline = `${(cloud.count / naiveSeconds / 1e6).toFixed(1)} M points/s, naive reader`;
      ratio = naiveSeconds / ours;
    }
    results.push({
      name: `read ${entry.name} (${cloud.count.toLocaleString('en-US')} points)`,
      figure: `${(pointsPerSecond / 1e6).toFixed(1)} M points/s`,
      baseline,
      ratio,
      target: 'none set',
      met: null,
    });
  }
  return results;
}
