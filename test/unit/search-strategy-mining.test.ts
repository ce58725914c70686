import { describe, expect, it } from 'vitest';
import { maskRulesSchema } from '../../src/mask/rules.js';
import { mineFalseNegatives, type Suspect } from '../../src/mine/false-negatives.js';
import { openVectorSearch } from '../../src/search/embedding-index.js';
import { syntheticDrives } from './search-strategy-fixture.js';

/**
 * 24,000 samples: 400 sequences of 60 frames on 40 routes of 40 places, 5 frames per place, at
 * dimension 16. Every sample's nearest rows include its own sequence's frames within 2 s, which the
 * temporal positives mask, so the HNSW search must skip them inside the graph.
 */
const drives = syntheticDrives({ sequences: 400, framesPerSequence: 60, routes: 40, placesPerRoute: 40, framesPerPlace: 5, dimension: 16, noise: 0.2, seed: 3 });
const { samples, vectors, dimension } = drives;
const options = { samples, vectors, dimension, maskRules: maskRulesSchema.parse({}), positives: { kind: 'temporal', windowSeconds: 2 } as const, perSample: 10, limit: 5000 };

function pairKeys(suspects: Suspect[]): Set<string> {
  return new Set(suspects.map((s) => `${s.sampleA}-${s.sampleB}`));
}

describe('mining 24k clustered vectors', () => {
  it('HNSW finds the suspects exact search finds', () => {
    const started = performance.now();
    const expected = mineFalseNegatives(options);
    const exactMs = performance.now() - started;

    const search = openVectorSearch(null, vectors, dimension, { mode: 'auto', exactMaxRows: 20_000, recallQueries: 200 });
    const actual = mineFalseNegatives({ ...options, search });
    const approximateMs = performance.now() - started - exactMs;

    expect(search.info.kind).toBe('approximate');
    expect(expected).toHaveLength(5000);
    expect(actual).toHaveLength(5000);
    const found = pairKeys(actual);
    const shared = [...pairKeys(expected)].filter((key) => found.has(key)).length;
    console.log(`exact ${exactMs.toFixed(0)} ms, HNSW ${approximateMs.toFixed(0)} ms, recall@10 ${search.info.recallAt10}, shared ${shared} of 5000`);
    // Measured: 5000 of 5000 (seed 3, default parameters M 16, efConstruction 200, efSearch 128), and recall@10 1.
    expect(shared).toBeGreaterThanOrEqual(4950);
  });
});
