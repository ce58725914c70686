import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSim2Json } from '../../src/sensors/bev/sim2.js';
import { mapElementsToRaster } from '../../src/sensors/bev/vector-map.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

function logFiles(log: string): { mapText: string; mapPath: string; sim2Text: string } {
  const folder = sharedDataPath('argoverse2-sample', log, 'map');
  const names = readdirSync(folder);
  const mapName = names.find((name) => name.startsWith('log_map_archive_')) ?? 'missing';
  const sim2Name = names.find((name) => name.endsWith('___img_Sim2_city.json')) ?? 'missing';
  const mapPath = sharedDataPath('argoverse2-sample', log, 'map', mapName);
  return { mapText: readFileSync(mapPath, 'utf8'), mapPath, sim2Text: readFileSync(sharedDataPath('argoverse2-sample', log, 'map', sim2Name), 'utf8') };
}

function countKinds(shapes: { kind: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const shape of shapes) counts[shape.kind] = (counts[shape.kind] ?? 0) + 1;
  return counts;
}

describe.skipIf(!hasSharedData('argoverse2-sample'))('Argoverse 2 vector map in pixels', () => {
  it('element counts of 7fab2350', () => {
    const { mapText, mapPath, sim2Text } = logFiles('7fab2350-7eaf-3b7e-a39d-6937a4c1bede');
    const shapes = mapElementsToRaster(mapText, mapPath, parseSim2Json(sim2Text, 'sim2.json'));

    expect(countKinds(shapes)).toEqual({ 'lane-left-boundary': 183, 'lane-right-boundary': 183, 'drivable-area': 13, 'pedestrian-crossing': 11 });
    const leftVertices = shapes.filter((shape) => shape.kind === 'lane-left-boundary').reduce((sum, shape) => sum + shape.pixels.length / 2, 0);
    expect(leftVertices).toBe(986);
  });

  it('first lane vertex in pixels', () => {
    const { mapText, mapPath, sim2Text } = logFiles('7fab2350-7eaf-3b7e-a39d-6937a4c1bede');
    const shapes = mapElementsToRaster(mapText, mapPath, parseSim2Json(sim2Text, 'sim2.json'));
    const lane = shapes.find((shape) => shape.id === 38109167 && shape.kind === 'lane-left-boundary');

    // City (5272.94, 2353.69) with t = (-5072.4004, -2283.9004) and s = 10/3.
    expect(lane?.pixels[0]).toBeCloseTo((10 / 3) * (5272.94 - 5072.400390625), 2);
    expect(lane?.pixels[1]).toBeCloseTo((10 / 3) * (2353.69 - 2283.900390625), 2);
    expect(lane?.closed).toBe(false);
  });

  it('element counts of adcf7d18', () => {
    const { mapText, mapPath, sim2Text } = logFiles('adcf7d18-0510-35b0-a2fa-b4cea13a6d76');
    const shapes = mapElementsToRaster(mapText, mapPath, parseSim2Json(sim2Text, 'sim2.json'));

    expect(countKinds(shapes)).toEqual({ 'lane-left-boundary': 199, 'lane-right-boundary': 199, 'drivable-area': 8, 'pedestrian-crossing': 11 });
  });
});

describe('vector map on hand-made input', () => {
  const sim2 = { rotation: [1, 0, 0, 1] as [number, number, number, number], translation: [0, 0] as [number, number], scale: 2 };

  it('crossing polygon order', () => {
    const text = JSON.stringify({
      lane_segments: {},
      drivable_areas: {},
      pedestrian_crossings: { 7: { id: 7, edge1: [{ x: 0, y: 0 }, { x: 1, y: 0 }], edge2: [{ x: 0, y: 1 }, { x: 1, y: 1 }] } },
    });
    const [crossing] = mapElementsToRaster(text, 'map.json', sim2);

    expect(crossing?.closed).toBe(true);
    expect(Array.from(crossing?.pixels ?? [])).toEqual([0, 0, 2, 0, 2, 2, 0, 2]);
  });

  it('missing section is named', () => {
    const text = JSON.stringify({ lane_segments: {}, pedestrian_crossings: {} });
    expect(() => mapElementsToRaster(text, 'map.json', sim2)).toThrow(/map\.json is missing the section "drivable_areas"/);
  });

  it('malformed point is named', () => {
    const text = JSON.stringify({ lane_segments: {}, drivable_areas: { 3: { id: 3, area_boundary: [{ x: 0, y: 0 }, { x: 'a', y: 1 }, { x: 2, y: 2 }] } }, pedestrian_crossings: {} });
    expect(() => mapElementsToRaster(text, 'map.json', sim2)).toThrow(/element 3 "area_boundary" point 1 has no numeric x and y/);
  });
});
