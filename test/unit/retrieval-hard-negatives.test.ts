// Hard-negative boards on a hand-made set of 2-D angle embeddings, the main-class choice, and the
// exported hard-negative set after confirmations.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestCache } from '../../src/api/manifest-cache.js';
import { main } from '../../src/cli/main.js';
import { openWorkspace } from '../../src/core/workspace.js';
import { createApiHandlers, type ApiHandlers } from '../../src/api/handlers.js';
import { readManifest } from '../../src/dataset/manifest-io.js';
import { buildHardNegativesDocument } from '../../src/retrieval/hard-negative-set.js';
import { mainClassOf } from '../../src/retrieval/main-class.js';
import { openStore, type Store } from '../../src/store/index.js';
import { addAngleDataset, type AngleSample } from './retrieval-fixture.js';

const box = (size: number) => ({ x: 0, y: 0, z: 0, length: size, width: size, height: size, yaw: 0 });

/**
 * a (tug, 0°), b (tug, 5°), c (loader, 10°), d (cone, 50°), e (no objects, 12°). Pairs of two
 * different known classes, most similar first: b-c (5° apart), a-c (10°), c-d (40°), b-d (45°), a-d (50°).
 */
const CLASS_CASE: AngleSample[] = [
  { sampleId: 'a', sequenceId: 'x', second: 0, weather: 'sunny', placeId: 'P1', degrees: 0, objects: [{ trackId: 't1', class: 'tug' }] },
  { sampleId: 'b', sequenceId: 'x', second: 1, weather: 'sunny', placeId: 'P1', degrees: 5, objects: [{ trackId: 't2', class: 'tug' }] },
  { sampleId: 'c', sequenceId: 'y', second: 0, weather: 'rain', placeId: 'P2', degrees: 10, objects: [{ trackId: 't3', class: 'loader' }] },
  { sampleId: 'd', sequenceId: 'y', second: 1, weather: 'rain', placeId: 'P3', degrees: 50, objects: [{ trackId: 't4', class: 'cone' }] },
  { sampleId: 'e', sequenceId: 'z', second: 0, weather: 'rain', placeId: 'P1', degrees: 12 },
];

describe('retrieval hard negatives', () => {
  let dir: string;
  let store: Store;
  let handlers: ApiHandlers;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-hard-negatives-'));
    store = openStore(':memory:');
    addAngleDataset(store, dir, CLASS_CASE);
    handlers = createApiHandlers(store, { manifests: new ManifestCache() });
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('groups candidates by class pair', async () => {
    const board = await handlers.listHardNegativeCandidates({ datasetId: 'angles', groupBy: 'class', rule: { kind: 'place' }, limit: 10 });
    expect(board.total).toBe(5);
    expect(board.groups.map((group) => group.key)).toEqual(['loader / tug', 'cone / loader', 'cone / tug']);
    const pairs = board.groups.map((group) => group.candidates.map((candidate) => `${candidate.sampleA}-${candidate.sampleB}`));
    expect(pairs).toEqual([['b-c', 'a-c'], ['c-d'], ['b-d', 'a-d']]);
    expect(board.groups[0]!.candidates[0]!.similarity).toBeCloseTo(Math.cos((5 * Math.PI) / 180), 6);
  });

  it('keeps the most similar up to the limit', async () => {
    const board = await handlers.listHardNegativeCandidates({ datasetId: 'angles', groupBy: 'class', rule: { kind: 'place' }, limit: 3 });
    expect(board.total).toBe(3);
    expect(board.groups.map((group) => group.key)).toEqual(['loader / tug', 'cone / loader']);
  });

  it('groups candidates by place pair', async () => {
    // a, b and e share place P1, so none of their pairs is a candidate.
    const board = await handlers.listHardNegativeCandidates({ datasetId: 'angles', groupBy: 'place', rule: { kind: 'place' }, limit: 10 });
    const pairs = board.groups.flatMap((group) => group.candidates.map((candidate) => `${candidate.sampleA}-${candidate.sampleB}`));
    expect(pairs).not.toContain('a-b');
    expect(pairs).not.toContain('a-e');
    expect(board.groups[0]).toEqual({
      key: 'P1 / P2',
      candidates: [expect.objectContaining({ sampleA: 'c', sampleB: 'e', placeA: 'P2', placeB: 'P1' }), expect.anything(), expect.anything()],
    });
  });

  it('drops a confirmed pair and exports it', async () => {
    const decision = await handlers.confirmHardNegative({ datasetId: 'angles', sampleA: 'c', sampleB: 'b', reviewer: 'ana', embeddingVersionId: 'emb-angles' });
    expect(decision).toMatchObject({ verdict: 'different', sampleA: 'b', sampleB: 'c', reviewer: 'ana' });

    const board = await handlers.listHardNegativeCandidates({ datasetId: 'angles', groupBy: 'class', rule: { kind: 'place' }, limit: 10 });
    expect(board.groups[0]!.candidates.map((candidate) => `${candidate.sampleA}-${candidate.sampleB}`)).toEqual(['a-c']);

    // A plain review decision is not part of the hard-negative set.
    store.recordDecision({ datasetId: 'angles', sampleA: 'a', sampleB: 'd', verdict: 'different', reviewer: 'ana' });
    const document = buildHardNegativesDocument(store, 'angles', readManifest(dir), '2026-01-01T00:00:00.000Z');
    expect(document).toEqual({
      format: 'apron-hard-negatives',
      version: 1,
      datasetId: 'angles',
      exportedAt: '2026-01-01T00:00:00.000Z',
      count: 1,
      pairs: [
        {
          sampleA: 'b',
          sampleB: 'c',
          decisionId: decision.decisionId,
          reviewer: 'ana',
          decidedAt: decision.decidedAt,
          embeddingVersionId: 'emb-angles',
          classA: 'tug',
          classB: 'loader',
          placeA: 'P1',
          placeB: 'P2',
        },
      ],
    });
  });

  it('leaves the set when overruled', async () => {
    await handlers.confirmHardNegative({ datasetId: 'angles', sampleA: 'b', sampleB: 'c', reviewer: 'ana' });
    store.recordDecision({ datasetId: 'angles', sampleA: 'b', sampleB: 'c', verdict: 'same', reviewer: 'bo' });
    expect(buildHardNegativesDocument(store, 'angles', readManifest(dir), 'now').count).toBe(0);
  });

  it('rejects a sample missing from the manifest', async () => {
    await expect(handlers.confirmHardNegative({ datasetId: 'angles', sampleA: 'a', sampleB: 'zz', reviewer: 'ana' })).rejects.toThrow(
      'Sample "zz" is not in the manifest',
    );
  });
});

describe('export-hard-negatives command', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-export-hard-negatives-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the confirmed pairs', async () => {
    const root = join(dir, 'workspace');
    const store = openStore(openWorkspace(root).databasePath);
    addAngleDataset(store, join(dir, 'data'), CLASS_CASE);
    await createApiHandlers(store, { manifests: new ManifestCache() }).confirmHardNegative({ datasetId: 'angles', sampleA: 'a', sampleB: 'd', reviewer: 'ana' });
    store.close();

    const out = join(dir, 'hard-negatives.json');
    const exitCode = await main(['export-hard-negatives', '--dataset', 'angles', '--out', out, '--workspace', root]);
    expect(exitCode).toBe(0);
    const document = JSON.parse(readFileSync(out, 'utf8')) as { format: string; count: number; pairs: Array<Record<string, unknown>> };
    expect(document.format).toBe('apron-hard-negatives');
    expect(document.count).toBe(1);
    expect(document.pairs[0]).toMatchObject({ sampleA: 'a', sampleB: 'd', reviewer: 'ana', classA: 'tug', classB: 'cone' });
  });

  it('rejects a missing output folder', async () => {
    const root = join(dir, 'workspace');
    openStore(openWorkspace(root).databasePath).close();
    const exitCode = await main(['export-hard-negatives', '--dataset', 'angles', '--out', join(dir, 'absent', 'x.json'), '--workspace', root]);
    expect(exitCode).not.toBe(0);
  });
});

describe('main class', () => {
  it('takes the most frequent class', () => {
    const objects = [
      { trackId: '1', class: 'cone' },
      { trackId: '2', class: 'cone' },
      { trackId: '3', class: 'aircraft', box: box(30) },
    ];
    expect(mainClassOf({ objects })).toBe('cone');
  });

  it('breaks a tie by box volume', () => {
    const objects = [
      { trackId: '1', class: 'cone', box: box(1) },
      { trackId: '2', class: 'tug', box: box(3) },
    ];
    expect(mainClassOf({ objects })).toBe('tug');
  });

  it('breaks a full tie alphabetically', () => {
    expect(mainClassOf({ objects: [{ trackId: '1', class: 'tug' }, { trackId: '2', class: 'belt-loader' }] })).toBe('belt-loader');
  });

  it('is null without objects', () => {
    expect(mainClassOf({})).toBeNull();
    expect(mainClassOf({ objects: [] })).toBeNull();
  });
});
