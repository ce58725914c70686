// The sensor data a sample view serves, on the three real multimodal sets: every token resolves,
// sweeps arrive whole, projections land in their images, BEV pictures and map overlays line up.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SampleView } from '../../src/api/contract.js';
import { createApiHandlers, type ApiHandlers } from '../../src/api/handlers.js';
import { ManifestCache } from '../../src/api/manifest-cache.js';
import { decodePoints, decodeProjection } from '../../src/api/sensor-wire.js';
import { lidarToEgoOf } from '../../src/api/sensors/products.js';
import { resolveDataToken } from '../../src/api/sensors/resolve-data-token.js';
import { openWorkspace } from '../../src/core/workspace.js';
import { importIntoWorkspace } from '../../src/loop/import.js';
import { readPointCloudFile } from '../../src/sensors/lidar/read-file.js';
import { openStore, type Store } from '../../src/store/index.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

const SETS = ['kitti-nuscenes-demo', 'pjlab-lidar-camera', 'argoverse2-sample'] as const;
const present = SETS.every((name) => hasSharedData(name));

async function bytesOf(store: Store, token: string, manifests: ManifestCache): Promise<Uint8Array> {
  const file = await resolveDataToken(store, token, manifests);
  return 'body' in file ? file.body : new Uint8Array(readFileSync(file.path));
}

describe.skipIf(!present)('sensor views of the real multimodal sets', () => {
  let root: string;
  let store: Store;
  let handlers: ApiHandlers;
  const manifests = new ManifestCache();
  const views = new Map<string, SampleView[]>();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'apron-sensor-view-'));
    const workspace = openWorkspace(root);
    store = openStore(workspace.databasePath);
    handlers = createApiHandlers(store, { manifests });
    for (const name of SETS) {
      const { dataset } = await importIntoWorkspace(workspace, store, { source: sharedDataPath(name), datasetId: name });
      const page = await handlers.listSamples({ datasetId: dataset.datasetId, offset: 0, limit: 1000 });
      views.set(name, await Promise.all(page.samples.map((sample) => handlers.getSample({ datasetId: name, sampleId: sample.sampleId }))));
    }
  });

  afterAll(() => {
    store?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('labels the nuScenes and Argoverse 2 sweeps as the vehicle frame', () => {
    const egoFormats = SETS.flatMap((name) => (views.get(name) ?? []).flatMap((view) => view.lidar.filter((sweep) => sweep.frame === 'ego').map((sweep) => sweep.format)));
    expect(new Set(egoFormats)).toEqual(new Set(['nuscenes-pcd-bin', 'av2-feather']));
  });

  it('builds every sample view without warnings', () => {
    for (const name of SETS) {
      const samples = views.get(name) ?? [];
      expect(samples.length).toBeGreaterThan(0);
      for (const view of samples) expect(view.warnings, `${name} ${view.sampleId}`).toEqual([]);
    }
  });

  it('sends each sweep whole, in the frame it names', async () => {
    for (const name of SETS) {
      for (const view of views.get(name) ?? []) {
        for (const [index, sweep] of view.lidar.entries()) {
          const points = decodePoints(await bytesOf(store, sweep.token, manifests));
          const dataset = manifests.get(store.getDataset(name).manifestPath);
          const sample = dataset.manifest.samples[dataset.indexOf.get(view.sampleId)!]!;
          const format = { 'kitti-bin': 'kitti-bin', 'nuscenes-pcd-bin': 'nuscenes-bin', pcd: 'pcd', ply: 'ply', 'av2-feather': 'argoverse2-feather' } as const;
          const file = sample.lidar[index]!;
          const cloud = await readPointCloudFile(join(dataset.root, file.path), format[file.format]);

          expect(points.count).toBe(cloud.count);
          const column = (name: string) => cloud.fields.find((field) => field.name === name)!.values;
          const [x, y, z] = [column('x'), column('y'), column('z')];
          for (const i of [0, cloud.count - 1]) {
            // A sweep in the vehicle frame went through the calibration's LiDAR-to-ego transform.
            const m = lidarToEgoOf(dataset, sample) ?? [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
            const expected = m[0]! * x[i]! + m[1]! * y[i]! + m[2]! * z[i]! + m[3]!;
            expect(points.x[i]).toBeCloseTo(expected, 4);
          }
        }
      }
    }
  });

  it('projects KITTI and nuScenes sweeps', async () => {
    const [kitti, nuscenes] = views.get('kitti-nuscenes-demo')!;
    const kittiCamera = kitti!.images.find((image) => image.kind === 'camera')!;
    const kittiProjection = decodeProjection(await bytesOf(store, kittiCamera.projections[0]!.token, manifests));
    expect(kittiProjection.count).toBeGreaterThan(10_000);
    for (let i = 0; i < kittiProjection.count; i++) {
      expect(kittiProjection.u[i]).toBeGreaterThanOrEqual(0);
      expect(kittiProjection.u[i]).toBeLessThan(1242);
      expect(kittiProjection.v[i]).toBeGreaterThanOrEqual(0);
      expect(kittiProjection.v[i]).toBeLessThan(375);
    }

    const cameras = nuscenes!.images.filter((image) => image.kind === 'camera');
    expect(cameras).toHaveLength(6);
    for (const camera of cameras) {
      const projection = decodeProjection(await bytesOf(store, camera.projections[0]!.token, manifests));
      // Share of the points in front of the camera that land inside its image, as in test/unit/projection-real.test.ts.
      const share = projection.count / projection.inFrontCount;
      expect(share, camera.name).toBeGreaterThan(0.2);
      expect(share, camera.name).toBeLessThan(0.5);
      expect(projection.imageWidth).toBe(1600);
    }
  });

  it('projects every PJLab pair that has a calibration', async () => {
    const withProjection = (views.get('pjlab-lidar-camera') ?? []).filter((view) => view.images.some((image) => image.projections.length > 0));
    expect(withProjection.length).toBeGreaterThanOrEqual(4);
    for (const view of withProjection) {
      const camera = view.images.find((image) => image.projections.length > 0)!;
      const projection = decodeProjection(await bytesOf(store, camera.projections[0]!.token, manifests));
      expect(projection.count, view.sampleId).toBeGreaterThan(1000);
      expect(view.calibrations[0]?.imageWidth).toBe(1920);
    }
  });

  it('draws Argoverse 2 BEVs with map', async () => {
    for (const view of views.get('argoverse2-sample') ?? []) {
      const density = view.images.find((image) => image.source === 'lidar')!;
      const picture = await sharp(await bytesOf(store, density.token, manifests)).metadata();
      expect([picture.width, picture.height]).toEqual([density.width, density.height]);

      const raster = view.images.find((image) => image.kind === 'bev' && image.source === 'file')!;
      const rasterPicture = await sharp(await bytesOf(store, raster.token, manifests)).metadata();
      expect([rasterPicture.format, rasterPicture.width, rasterPicture.height]).toEqual(['png', raster.width, raster.height]);

      // The vehicle drives on the map: its position lies inside the raster, and lanes pass near it.
      const ego = raster.egoPixel!;
      expect(ego.column).toBeGreaterThan(0);
      expect(ego.column).toBeLessThan(raster.width!);
      expect(ego.row).toBeGreaterThan(0);
      expect(ego.row).toBeLessThan(raster.height!);

      const overlay = JSON.parse(new TextDecoder().decode(await bytesOf(store, raster.mapToken!, manifests))) as {
        shapes: Array<{ kind: string; points: number[] }>;
      };
      expect(overlay.shapes.length).toBeGreaterThan(10);
      let nearest = Infinity;
      for (const shape of overlay.shapes.filter((entry) => entry.kind.startsWith('lane'))) {
        for (let i = 0; i + 1 < shape.points.length; i += 2) {
          nearest = Math.min(nearest, Math.hypot(shape.points[i]! - ego.column, shape.points[i + 1]! - ego.row) * raster.metresPerPixel!);
        }
      }
      expect(nearest, view.sampleId).toBeLessThan(5);
    }
  });
});
