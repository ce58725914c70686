// The retrieval handlers with APRON_SEARCH=approximate against the same handlers with exact
// search, on the hand-made angle case of retrieval-fixture.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestCache } from '../../src/api/manifest-cache.js';
import { createApiHandlers, type ApiHandlers } from '../../src/api/handlers.js';
import { readHnswSidecar } from '../../src/search/hnsw.js';
import { openStore, type Store } from '../../src/store/index.js';
import { addAngleDataset } from './retrieval-fixture.js';

const placeRule = { kind: 'place' } as const;

describe('retrieval with the HNSW index', () => {
  let dir: string;
  let store: Store;
  let previous: string | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-retrieval-hnsw-'));
    store = openStore(':memory:');
    addAngleDataset(store, dir);
    previous = process.env.APRON_SEARCH;
  });

  afterEach(() => {
    if (previous === undefined) delete process.env.APRON_SEARCH;
    else process.env.APRON_SEARCH = previous;
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `body` with fresh handlers (so nothing is cached) under the given search mode. */
  async function withMode<T>(mode: 'exact' | 'approximate', body: (handlers: ApiHandlers) => Promise<T>): Promise<T> {
    process.env.APRON_SEARCH = mode;
    return body(createApiHandlers(store, { manifests: new ManifestCache() }));
  }

  it('recall matrix equals exact search', async () => {
    const exact = await withMode('exact', (handlers) => handlers.getRecallMatrix({ datasetId: 'angles', rule: placeRule }));
    expect(existsSync(join(dir, 'emb-angles.hnsw'))).toBe(false);

    const approximate = await withMode('approximate', (handlers) => handlers.getRecallMatrix({ datasetId: 'angles', rule: placeRule }));
    expect(approximate).toEqual(exact);
    expect(readHnswSidecar(join(dir, 'emb-angles.hnsw')).build?.recall?.recall).toBe(1);
  });

  it('hard negatives equal exact search', async () => {
    const args = { datasetId: 'angles', groupBy: 'class', rule: placeRule, limit: 10 } as const;
    const exact = await withMode('exact', (handlers) => handlers.listHardNegativeCandidates(args));
    const approximate = await withMode('approximate', (handlers) => handlers.listHardNegativeCandidates(args));
    expect(approximate).toEqual(exact);
    expect(existsSync(join(dir, 'emb-angles.hnsw'))).toBe(true);
  });

  it('overview shows the measured recall', async () => {
    await withMode('approximate', (handlers) => handlers.getRecallMatrix({ datasetId: 'angles', rule: placeRule }));
    const overview = await withMode('approximate', (handlers) => handlers.getDatasetOverview({ datasetId: 'angles' }));
    const search = overview.embeddingVersions[0]?.search;
    expect(search?.kind).toBe('approximate');
    expect(search?.recallAt10).toBe(1);
    expect(search?.recallQueries).toBe(store.getEmbeddingVersion('emb-angles').count);
  });
});
