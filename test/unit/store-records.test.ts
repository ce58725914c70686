import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { openStore, type Store } from '../../src/store/index.js';

/** Returns a clock that starts at 2025-03-01T10:00:00Z and moves one second per reading. */
function steppingClock(): () => Date {
  let tick = 0;
  return () => new Date(Date.UTC(2025, 2, 1, 10, 0, tick++));
}

function errorOf(action: () => unknown): ApronError {
  try {
    action();
  } catch (error) {
    if (error instanceof ApronError) return error;
    throw error;
  }
  throw new Error('expected an ApronError, but nothing was thrown');
}

const NORDLAND = { datasetId: 'nordland', name: 'Nordland', importer: 'nordland', manifestPath: '/w/n.json', root: '/data/n', sampleCount: 3576 };

describe('store datasets', () => {
  let store: Store;

  beforeEach(() => {
    store = openStore(':memory:', { now: steppingClock() });
  });

  afterEach(() => {
    store.close();
  });

  it('add, get and list', () => {
    const added = store.addDataset(NORDLAND);
    store.addDataset({ datasetId: 'kitti-00', name: 'KITTI 00', manifestPath: '/w/k.json', root: '/data/k', sampleCount: 4541 });

    expect(added).toEqual({ ...NORDLAND, createdAt: '2025-03-01T10:00:00.000Z' });
    expect(store.getDataset('nordland')).toEqual(added);
    expect(store.listDatasets().map((dataset) => [dataset.datasetId, dataset.importer, dataset.createdAt])).toEqual([
      ['nordland', 'nordland', '2025-03-01T10:00:00.000Z'],
      ['kitti-00', null, '2025-03-01T10:00:01.000Z'],
    ]);
    expect(store.findDataset('missing')).toBeUndefined();
  });

  it('duplicate id is a conflict', () => {
    store.addDataset(NORDLAND);
    const error = errorOf(() => store.addDataset(NORDLAND));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('Dataset "nordland" already exists in the store.');
  });

  it('unknown id is not found', () => {
    const error = errorOf(() => store.getDataset('nope'));
    expect(error.code).toBe('not-found');
    expect(error.message).toBe('Dataset "nope" is not in the store.');
    expect(error.hint).toBe('Check the id against the list of datasets (`apron datasets`), or import the dataset first.');
  });

  it('update keeps id and creation time', () => {
    store.addDataset(NORDLAND);
    const updated = store.updateDataset('nordland', { sampleCount: 10, root: '/elsewhere', importer: undefined });
    expect(updated).toEqual({ ...NORDLAND, sampleCount: 10, root: '/elsewhere', createdAt: '2025-03-01T10:00:00.000Z' });
  });

  it('invalid sample count is rejected', () => {
    const error = errorOf(() => store.addDataset({ ...NORDLAND, sampleCount: -1 }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('Dataset "nordland": sample count -1 is not a non-negative integer.');
  });
});

describe('store training runs', () => {
  let store: Store;

  beforeEach(() => {
    store = openStore(':memory:', { now: steppingClock() });
    store.addDataset(NORDLAND);
  });

  afterEach(() => {
    store.close();
  });

  it('start then complete', () => {
    const started = store.startTrainingRun({ runId: 'run-1', datasetId: 'nordland', config: { epochs: 3, temperature: 0.07 }, decisionsUsed: 12 });
    expect(started).toEqual({
      runId: 'run-1',
      datasetId: 'nordland',
      config: { epochs: 3, temperature: 0.07 },
      status: 'running',
      checkpointPath: null,
      decisionsUsed: 12,
      metrics: null,
      startedAt: '2025-03-01T10:00:01.000Z',
      finishedAt: null,
      error: null,
    });

    const progress = store.updateTrainingRun('run-1', { metrics: { epoch: 1, loss: 2.5 } });
    expect(progress.status).toBe('running');
    expect(progress.finishedAt).toBeNull();
    expect(progress.metrics).toEqual({ epoch: 1, loss: 2.5 });

    const done = store.updateTrainingRun('run-1', { status: 'completed', checkpointPath: '/w/runs/run-1/model.json' });
    expect(done.status).toBe('completed');
    expect(done.finishedAt).toBe('2025-03-01T10:00:02.000Z');
    expect(done.checkpointPath).toBe('/w/runs/run-1/model.json');
    expect(done.metrics).toEqual({ epoch: 1, loss: 2.5 });
  });

  it('failed run keeps its error', () => {
    store.startTrainingRun({ runId: 'run-2', datasetId: 'nordland', config: {} });
    const failed = store.updateTrainingRun('run-2', { status: 'failed', error: 'kernel not registered' });
    expect([failed.status, failed.error, failed.finishedAt]).toEqual(['failed', 'kernel not registered', '2025-03-01T10:00:02.000Z']);
  });

  it('orphaned running run is marked failed', () => {
    store.startTrainingRun({ runId: 'run-dead', datasetId: 'nordland', config: {} });
    store.startTrainingRun({ runId: 'run-live', datasetId: 'nordland', config: {} });
    store.startTrainingRun({ runId: 'run-done', datasetId: 'nordland', config: {} });
    store.updateTrainingRun('run-done', { status: 'completed' });
    const checkedPids: number[] = [];

    // Every run here was started by this test process; the check reports run-dead's owner as gone.
    let calls = 0;
    const marked = store.failOrphanedRuns((pid) => {
      checkedPids.push(pid);
      calls++;
      return calls !== 1;
    });

    expect(marked.map((run) => run.runId)).toEqual(['run-dead']);
    expect(checkedPids).toEqual([process.pid, process.pid]);
    expect(store.getTrainingRun('run-dead').status).toBe('failed');
    expect(store.getTrainingRun('run-dead').error).toContain(`pid ${process.pid}`);
    expect(store.getTrainingRun('run-live').status).toBe('running');
    expect(store.getTrainingRun('run-done').status).toBe('completed');
  });

  it('run of a live process is kept running', () => {
    store.startTrainingRun({ runId: 'run-own', datasetId: 'nordland', config: {} });

    const marked = store.failOrphanedRuns();

    expect(marked).toEqual([]);
    expect(store.getTrainingRun('run-own').status).toBe('running');
  });

  it('finished run cannot restart', () => {
    store.startTrainingRun({ runId: 'run-3', datasetId: 'nordland', config: {} });
    store.updateTrainingRun('run-3', { status: 'cancelled' });
    const error = errorOf(() => store.updateTrainingRun('run-3', { status: 'running' }));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('Training run "run-3" is already cancelled; it cannot become running.');
  });

  it('generated id and listing', () => {
    const run = store.startTrainingRun({ datasetId: 'nordland', config: { seed: 7 } });
    expect(run.runId).toMatch(/^run-20250301T100001-[0-9a-f]{6}$/);
    expect(store.listTrainingRuns('nordland').map((r) => r.runId)).toEqual([run.runId]);
    expect(store.listTrainingRuns('other')).toEqual([]);
    expect(store.listTrainingRuns()).toHaveLength(1);
  });

  it('unknown dataset and run', () => {
    expect(errorOf(() => store.startTrainingRun({ datasetId: 'nope', config: {} })).code).toBe('not-found');
    expect(errorOf(() => store.getTrainingRun('nope')).message).toBe('Training run "nope" is not in the store.');
  });

  it('unstorable config is invalid input', () => {
    const error = errorOf(() => store.startTrainingRun({ runId: 'r', datasetId: 'nordland', config: { steps: 10n } }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toMatch(/^Training run "r" config cannot be stored as JSON: /);
  });
});

describe('store embedding versions', () => {
  let store: Store;

  beforeEach(() => {
    store = openStore(':memory:', { now: steppingClock() });
    store.addDataset(NORDLAND);
  });

  afterEach(() => {
    store.close();
  });

  it('add with and without a run', () => {
    store.startTrainingRun({ runId: 'run-1', datasetId: 'nordland', config: {} });
    const trained = store.addEmbeddingVersion({
      embeddingVersionId: 'emb-a',
      datasetId: 'nordland',
      runId: 'run-1',
      checkpointPath: '/w/runs/run-1/model.json',
      vectorsPath: '/w/embeddings/emb-a.f32',
      dimension: 128,
      count: 3576,
    });
    const imported = store.addEmbeddingVersion({
      embeddingVersionId: 'emb-b',
      datasetId: 'nordland',
      vectorsPath: '/w/embeddings/emb-b.f32',
      dimension: 256,
      count: 3576,
      note: 'from the cluster',
    });

    expect(trained).toEqual({
      embeddingVersionId: 'emb-a',
      datasetId: 'nordland',
      runId: 'run-1',
      checkpointPath: '/w/runs/run-1/model.json',
      vectorsPath: '/w/embeddings/emb-a.f32',
      dimension: 128,
      count: 3576,
      createdAt: '2025-03-01T10:00:02.000Z',
      note: null,
    });
    expect(imported.runId).toBeNull();
    expect(store.listEmbeddingVersions('nordland').map((v) => v.embeddingVersionId)).toEqual(['emb-a', 'emb-b']);
    expect(store.getEmbeddingVersion('emb-b').note).toBe('from the cluster');
  });

  it('unknown run, duplicate id and bad shape', () => {
    const base = { embeddingVersionId: 'emb-a', datasetId: 'nordland', vectorsPath: '/v', dimension: 8, count: 1 };
    expect(errorOf(() => store.addEmbeddingVersion({ ...base, runId: 'ghost' })).message).toBe('Training run "ghost" is not in the store.');
    store.addEmbeddingVersion(base);
    expect(errorOf(() => store.addEmbeddingVersion(base)).code).toBe('conflict');
    expect(errorOf(() => store.addEmbeddingVersion({ ...base, embeddingVersionId: 'x', dimension: 0 })).message).toBe(
      'Embedding dimension must be a positive integer, got 0.',
    );
    expect(errorOf(() => store.getEmbeddingVersion('nope')).code).toBe('not-found');
  });
});
