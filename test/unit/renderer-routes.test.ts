import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash, type Route } from '../../renderer/src/routes.js';
import { autoZoomFactor, nextZoom, zoomFactor } from '../../renderer/src/pair/zoom.js';

describe('hash routes', () => {
  it('parse every screen', () => {
    expect(parseRoute('')).toEqual({ screen: 'datasets' });
    expect(parseRoute('#/')).toEqual({ screen: 'datasets' });
    expect(parseRoute('#/datasets/kitti%2000')).toEqual({ screen: 'dataset', datasetId: 'kitti 00' });
    expect(parseRoute('#/queues/q1')).toEqual({ screen: 'queue', queueId: 'q1', page: 1 });
    expect(parseRoute('#/queues/q1?page=3')).toEqual({ screen: 'queue', queueId: 'q1', page: 3 });
    // Pair numbers in the address count from 1, as the page shows them.
    expect(parseRoute('#/queues/q1/pairs/1')).toEqual({ screen: 'pair', queueId: 'q1', position: 0 });
    expect(routeHash({ screen: 'pair', queueId: 'q1', position: 0 })).toBe('#/queues/q1/pairs/1');
    expect(parseRoute('#/datasets/d/samples?page=2&filter=kit')).toEqual({ screen: 'samples', datasetId: 'd', page: 2, filter: 'kit' });
    expect(parseRoute('#/datasets/d/samples/00%3A000123')).toEqual({ screen: 'sample', datasetId: 'd', sampleId: '00:000123' });
    expect(parseRoute('#/datasets/d/compare/a%2F1/b')).toEqual({ screen: 'compare', datasetId: 'd', sampleA: 'a/1', sampleB: 'b' });
  });

  it('treat malformed hashes as unknown', () => {
    for (const hash of ['#/queues/q1/pairs/0', '#/queues/q1/pairs/-1', '#/queues/q1/pairs/1.5', '#/queues/q1/pairs/x', '#/nope', '#/datasets/%E0%A4%A']) {
      expect(parseRoute(hash).screen, hash).toBe('unknown');
    }
  });

  it('fall back to page 1 for a bad page number', () => {
    expect(parseRoute('#/queues/q1?page=0')).toEqual({ screen: 'queue', queueId: 'q1', page: 1 });
    expect(parseRoute('#/queues/q1?page=abc')).toEqual({ screen: 'queue', queueId: 'q1', page: 1 });
  });

  it('round-trip through routeHash', () => {
    const routes: Route[] = [
      { screen: 'datasets' },
      { screen: 'dataset', datasetId: 'nordland/summer' },
      { screen: 'queue', queueId: 'queue-1', page: 1 },
      { screen: 'samples', datasetId: 'd', page: 3, filter: 'a b&c' },
      { screen: 'samples', datasetId: 'd', page: 1, filter: '' },
      { screen: 'sample', datasetId: 'd', sampleId: 'seq/01:7' },
      { screen: 'runs', datasetId: 'kitti/00' },
      { screen: 'team', queueId: 'queue 1' },
      { screen: 'versions', datasetId: 'd', from: 'emb-1', to: 'emb 2' },
      { screen: 'compare', datasetId: 'd', sampleA: 'x y', sampleB: 'z#1' },
      { screen: 'queue', queueId: 'queue-1', page: 4 },
      { screen: 'pair', queueId: 'queue 1', position: 17 },
    ];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });
});

describe('image zoom', () => {
  it('enlarges small rasters by a whole factor', () => {
    expect(autoZoomFactor(151, 151)).toBe(2);
    expect(autoZoomFactor(64, 32)).toBe(6);
    expect(autoZoomFactor(16, 16)).toBe(8);
  });

  it('never shrinks large images', () => {
    expect(autoZoomFactor(1242, 375)).toBe(1);
    expect(autoZoomFactor(1920, 1200)).toBe(1);
  });

  it('cycles through the fixed factors', () => {
    expect(nextZoom('auto')).toBe(1);
    expect(nextZoom(8)).toBe('auto');
    expect(zoomFactor(4, 1920, 1200)).toBe(4);
  });
});
