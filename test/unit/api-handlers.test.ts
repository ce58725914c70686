import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandlers, dispatchApiCall, resolveFileToken, type ApiHandlers } from '../../src/api/handlers.js';
import { ManifestCache } from '../../src/api/manifest-cache.js';
import { writeManifest } from '../../src/dataset/manifest-io.js';
import type { ManifestInput } from '../../src/dataset/manifest.js';
import { openStore, type Store } from '../../src/store/index.js';

function steppingClock(): () => Date {
  let tick = 0;
  return () => new Date(Date.UTC(2025, 2, 1, 10, 0, tick++));
}

async function writePng(path: string, width: number, height: number, grey: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toFile(path);
}

/**
 * Three samples: s1 (sequence A, pose, place, front camera 8x6 with size in the manifest, a BEV
 * raster 5x5 without, a LiDAR sweep), s2 (sequence A, one second later, rain) and s3 (sequence B,
 * winter, front camera only).
 */
function tinyManifest(root: string): ManifestInput {
  return {
    format: 'apron-manifest',
    version: 1,
    name: 'Tiny',
    root,
    conditionFields: ['weather'],
    samples: [
      {
        sampleId: 's1',
        sequenceId: 'A',
        site: 'stand-12',
        timestampNs: '1700000000000000000',
        weather: 'sunny',
        timeOfDay: 'day',
        pose: { x: 10, y: -2, z: 0.5, yaw: 1.5 },
        placeId: 'p1',
        trackIds: ['tug-3', 'cone-7'],
        cameras: [{ name: 'front', path: 'cam/s1.png', width: 8, height: 6 }],
        bev: [{ name: 'bev', path: 'bev/s1.png' }],
        lidar: [{ name: 'top', path: 'lidar/s1.bin', format: 'kitti-bin' }],
      },
      {
        sampleId: 's2',
        sequenceId: 'A',
        timestampNs: '1700000001000000000',
        weather: 'rain',
        cameras: [{ name: 'front', path: 'cam/s2.png' }],
      },
      {
        sampleId: 's3',
        sequenceId: 'B',
        timestampNs: 5,
        season: 'winter',
        cameras: [{ name: 'front', path: 'cam/s3.png' }],
      },
    ],
  };
}

describe('api handlers', () => {
  let dir: string;
  let store: Store;
  let handlers: ApiHandlers;
  let manifests: ManifestCache;
  let manifestPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apron-handlers-'));
    const root = join(dir, 'data');
    mkdirSync(join(root, 'cam'), { recursive: true });
    mkdirSync(join(root, 'bev'), { recursive: true });
    await writePng(join(root, 'cam', 's1.png'), 8, 6, 40);
    await writePng(join(root, 'cam', 's2.png'), 7, 3, 80);
    await writePng(join(root, 'cam', 's3.png'), 4, 2, 120);
    await writePng(join(root, 'bev', 's1.png'), 5, 5, 200);
    manifestPath = writeManifest(join(dir, 'ws', 'apron-manifest.json'), tinyManifest('../data'));

    store = openStore(':memory:', { now: steppingClock() });
    store.addDataset({ datasetId: 'tiny', name: 'Tiny', importer: 'hand', manifestPath, root, sampleCount: 3 });
    store.addEmbeddingVersion({ embeddingVersionId: 'emb-1', datasetId: 'tiny', vectorsPath: '/v.f32', dimension: 16, count: 3 });
    store.createQueue({
      queueId: 'q1',
      datasetId: 'tiny',
      embeddingVersionId: 'emb-1',
      items: [
        {
          sampleA: 's1',
          sampleB: 's3',
          evidence: { similarity: 0.93, rank: 1, timeGapSeconds: null, sameSequence: false, distanceMetres: null, headingDifferenceDegrees: null },
        },
        {
          sampleA: 's2',
          sampleB: 's1',
          evidence: { similarity: 0.71, rank: 2, timeGapSeconds: 1, sameSequence: true, distanceMetres: null, headingDifferenceDegrees: null },
        },
      ],
    });
    manifests = new ManifestCache();
    handlers = createApiHandlers(store, { manifests });
  });

  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listDatasets', async () => {
    expect(await handlers.listDatasets({})).toEqual([
      { datasetId: 'tiny', name: 'Tiny', importer: 'hand', sampleCount: 3, createdAt: '2025-03-01T10:00:00.000Z' },
    ]);
  });

  it('getDatasetOverview counts the manifest', async () => {
    const overview = await handlers.getDatasetOverview({ datasetId: 'tiny' });
    expect(overview).toEqual({
      datasetId: 'tiny',
      name: 'Tiny',
      importer: 'hand',
      sampleCount: 3,
      createdAt: '2025-03-01T10:00:00.000Z',
      manifestPath,
      root: join(dir, 'data'),
      sequences: [
        { value: 'A', count: 2 },
        { value: 'B', count: 1 },
      ],
      conditions: {
        weather: [
          { value: 'rain', count: 1 },
          { value: 'sunny', count: 1 },
        ],
        timeOfDay: [{ value: 'day', count: 1 }],
        season: [{ value: 'winter', count: 1 }],
      },
      modalities: [
        { value: 'bev:bev', count: 1 },
        { value: 'camera:front', count: 3 },
        { value: 'lidar:top', count: 1 },
      ],
      withPose: 1,
      withPlaceId: 1,
      embeddingVersions: [
        { embeddingVersionId: 'emb-1', datasetId: 'tiny', runId: null, dimension: 16, count: 3, createdAt: '2025-03-01T10:00:01.000Z', search: { kind: 'exact', rows: 3 } },
      ],
    });
    expect(Object.keys(overview.conditions)).toEqual(['weather', 'timeOfDay', 'season']);
  });

  it('listQueues and getQueueItems', async () => {
    expect(await handlers.listQueues({})).toEqual([
      { queueId: 'q1', datasetId: 'tiny', embeddingVersionId: 'emb-1', kind: 'false-negative', createdAt: '2025-03-01T10:00:02.000Z', size: 2, decided: 0 },
    ]);
    const page = await handlers.getQueueItems({ queueId: 'q1', offset: 1, limit: 5 });
    expect(page.total).toBe(2);
    expect(page.items).toEqual([
      {
        queueItemId: 2,
        queueId: 'q1',
        position: 1,
        sampleA: 's2',
        sampleB: 's1',
        evidence: { similarity: 0.71, rank: 2, timeGapSeconds: 1, sameSequence: true, distanceMetres: null, headingDifferenceDegrees: null },
        decision: null,
      },
    ]);
  });

  it('getPair returns metadata and images', async () => {
    const pair = await handlers.getPair({ queueId: 'q1', position: 0 });
    expect(pair.total).toBe(2);
    expect(pair.item.sampleA).toBe('s1');
    expect(pair.sampleA.metadata).toEqual({
      sampleId: 's1',
      sequenceId: 'A',
      routeId: null,
      routeSegment: null,
      site: 'stand-12',
      timestampNs: '1700000000000000000',
      calibrationId: null,
      weather: 'sunny',
      timeOfDay: 'day',
      season: null,
      'pose.x': 10,
      'pose.y': -2,
      'pose.z': 0.5,
      'pose.yaw': 1.5,
      placeId: 'p1',
      trackIds: 'tug-3, cone-7',
      lidar: 'top (kitti-bin)',
    });
    // The sweep adds a BEV computed from it, after the dataset's own raster.
    expect(pair.sampleA.images.map(({ kind, name, width, height, source }) => ({ kind, name, width, height, source }))).toEqual([
      { kind: 'camera', name: 'front', width: 8, height: 6, source: 'file' },
      { kind: 'bev', name: 'bev', width: 5, height: 5, source: 'file' },
      { kind: 'bev', name: 'top density', width: 400, height: 400, source: 'lidar' },
    ]);
    expect(pair.sampleA.lidar.map(({ name, format }) => ({ name, format }))).toEqual([{ name: 'top', format: 'kitti-bin' }]);
    expect(pair.sampleB.metadata['timestampNs']).toBe('5');
    expect(pair.sampleB.images.map(({ width, height }) => [width, height])).toEqual([[4, 2]]);

    const bevToken = pair.sampleA.images[1]?.token ?? '';
    expect(resolveFileToken(store, bevToken, manifests)).toEqual({ path: join(dir, 'data', 'bev', 's1.png'), contentType: 'image/png' });
  });

  it('decide and undo', async () => {
    const decided = await handlers.decide({ queueItemId: 2, verdict: 'same', reviewer: 'ann', note: 'same stand' });
    expect(decided).toEqual({
      decisionId: 1,
      queueItemId: 2,
      sampleA: 's1',
      sampleB: 's2',
      verdict: 'same',
      reviewer: 'ann',
      note: 'same stand',
      embeddingVersionId: 'emb-1',
      queueId: 'q1',
      decidedAt: '2025-03-01T10:00:03.000Z',
    });
    expect((await handlers.getPair({ queueId: 'q1', position: 1 })).item.decision).toEqual(decided);
    expect((await handlers.listQueues({ datasetId: 'tiny' }))[0]?.decided).toBe(1);

    expect(await handlers.undo({ queueId: 'q1', reviewer: 'ann' })).toEqual({ undone: decided });
    expect(await handlers.undo({ queueId: 'q1', reviewer: 'ann' })).toEqual({ undone: null });
    expect((await handlers.getPair({ queueId: 'q1', position: 1 })).item.decision).toBeNull();
  });

  it('errors arrive structured through dispatch', async () => {
    expect(await dispatchApiCall(handlers, 'getPair', { queueId: 'q1', position: 7 })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'Queue "q1" has no item at position 7 (pair 8).', hint: 'Positions run from 0 to 1 (pairs 1 to 2).' },
    });
    const unknownDataset = await dispatchApiCall(handlers, 'getDatasetOverview', { datasetId: 'nope' });
    expect(unknownDataset.ok ? undefined : unknownDataset.error.code).toBe('not-found');
    const unknownQueue = await dispatchApiCall(handlers, 'listQueues', { datasetId: 'nope' });
    expect(unknownQueue.ok ? undefined : unknownQueue.error.message).toBe('Dataset "nope" is not in the store.');
  });

  it('dispatch fills argument defaults', async () => {
    const reply = await dispatchApiCall(handlers, 'getQueueItems', { queueId: 'q1' });
    if (!reply.ok) throw new Error(`getQueueItems failed: ${reply.error.message}`);
    const page = reply.value as Awaited<ReturnType<ApiHandlers['getQueueItems']>>;
    expect(page.items).toHaveLength(2);
    expect(page.items.map((item) => item.position)).toEqual([0, 1]);
  });
});
