import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/dataset/manifest.js';
import { lookAlikeShare, measureQueue, parkedAircraftClass, sameStandRecallAt1 } from '../../src/demo/ground-truth-metrics.js';

function sample(sampleId: string, visit: string, stand: string, weather: string, aircraft?: string): Sample {
  return {
    sampleId,
    sequenceId: visit,
    timestampNs: 0n,
    placeId: `stand-${stand}`,
    weather,
    timeOfDay: 'day',
    cameras: [],
    bev: [],
    lidar: [],
    ...(aircraft === undefined ? {} : { objects: [{ trackId: `aircraft-${aircraft}-${stand}`, class: `aircraft-${aircraft}` }] }),
  };
}

// Two visits past stands 01 and 02: a1/b1 face stand 01, a2/b2 face stand 02.
const samples = [sample('a1', 'A', '01', 'clear', 'nb'), sample('a2', 'A', '02', 'clear', 'nb'), sample('b1', 'B', '01', 'fog', 'rj'), sample('b2', 'B', '02', 'fog')];

describe('demo ground-truth measures', () => {
  it('scores a queue against the stands', () => {
    const measures = measureQueue(samples, [
      ['a1', 'b1'],
      ['a1', 'b2'],
    ]);
    // True pairs: a1-b1 and a2-b2 of the four different-visit pairs.
    expect(measures.precision).toBe(0.5);
    expect(measures.recall).toBe(0.5);
    expect(measures.randomPrecision).toBe(0.5);
  });

  it('counts recall@1 per condition', () => {
    // a1 and b1 match exactly; a2 is closest to b1 and b2 to a1, two misses.
    const vectors = Float32Array.from([1, 0, 0, 0.8, 0.6, 0, 1, 0, 0, 0.6, 0, 0.8]);
    const recall = sameStandRecallAt1(samples, vectors, 3);
    expect(recall.overall).toEqual({ queries: 4, hits: 2, recall: 0.5 });
    expect(recall.byWeather['clear']).toEqual({ queries: 2, hits: 1, recall: 0.5 });
    expect(recall.byWeather['fog']).toEqual({ queries: 2, hits: 1, recall: 0.5 });
  });

  it('finds the aircraft parked at the faced stand', () => {
    expect(parkedAircraftClass(samples[0]!)).toBe('aircraft-nb');
    expect(parkedAircraftClass(samples[3]!)).toBe('none');
  });

  it('shares look-alikes among nearest other-stand samples', () => {
    const vectors = Float32Array.from([1, 0, 0.8, 0.6, 0, 1, 0.6, 0.8]);
    const measures = lookAlikeShare(samples, vectors, 2);
    // a1 -> a2 (nb, nb: alike), a2 -> a1 (alike), b1 -> b2 (rj, none), b2 -> b1 (none, rj).
    expect(measures.lookAlikes).toBe(2);
    expect(measures.share).toBe(0.5);
    // Different-stand pairs: a1-a2 alike, a1-b2, b1-a2, b1-b2: 1 of 4.
    expect(measures.randomShare).toBe(0.25);
  });
});
