import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash, type Route } from '../../renderer/src/routes.js';

describe('retrieval routes', () => {
  const cases: Array<[string, Route]> = [
    ['#/datasets/nordland/retrieval', { screen: 'retrieval', datasetId: 'nordland' }],
    ['#/datasets/nordland/hard-negatives', { screen: 'hard-negatives', datasetId: 'nordland' }],
    ['#/datasets/a%2Fb/retrieval', { screen: 'retrieval', datasetId: 'a/b' }],
  ];

  it.each(cases)('parses and formats %s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    expect(routeHash(route)).toBe(hash);
  });

  it('rejects extra segments', () => {
    expect(parseRoute('#/datasets/nordland/retrieval/more').screen).toBe('unknown');
  });
});
