import { describe, expect, it } from 'vitest';
import type { SampleView } from '../../src/api/contract.js';
import { formatMatrixValue, intrinsicColumns, matrixRows, orderMetadataFields } from '../../renderer/src/sensors/inspector-fields.js';
import { findDisabledModes } from '../../renderer/src/sensors/sweep-info.js';
import { matchByName } from '../../renderer/src/sensors/pair-matching.js';
import { combineViewStates } from '../../renderer/src/sensors/view-state.js';

const named = (...names: string[]) => names.map((name) => ({ name }));
const rowNames = (rows: Array<{ a: { name: string } | null; b: { name: string } | null }>) => rows.map((row) => [row.a?.name ?? null, row.b?.name ?? null]);

describe('matchByName', () => {
  it('pairs equal names whatever their order', () => {
    expect(rowNames(matchByName(named('front', 'left'), named('left', 'front')))).toEqual([
      ['front', 'front'],
      ['left', 'left'],
    ]);
  });

  it('pairs in order when no names agree', () => {
    expect(rowNames(matchByName(named('CAM_FRONT', 'CAM_BACK'), named('image_2', 'image_3')))).toEqual([
      ['CAM_FRONT', 'image_2'],
      ['CAM_BACK', 'image_3'],
    ]);
  });

  it('pairs the rest in order after name matches', () => {
    expect(rowNames(matchByName(named('front', 'x'), named('y', 'front')))).toEqual([
      ['front', 'front'],
      ['x', 'y'],
    ]);
  });

  it('leaves a null partner for extra sensors', () => {
    expect(rowNames(matchByName(named('top'), []))).toEqual([['top', null]]);
    expect(rowNames(matchByName([], named('top')))).toEqual([[null, 'top']]);
    expect(rowNames(matchByName(named('a'), named('a', 'b')))).toEqual([
      ['a', 'a'],
      [null, 'b'],
    ]);
  });

  it('pairs duplicate names one to one', () => {
    expect(rowNames(matchByName(named('cam', 'cam'), named('cam')))).toEqual([
      ['cam', 'cam'],
      ['cam', null],
    ]);
  });
});

describe('combineViewStates', () => {
  it('is ready with no views', () => {
    expect(combineViewStates([])).toBe('ready');
  });

  it('loads while any view loads', () => {
    expect(combineViewStates(['ready', 'error', 'loading'])).toBe('loading');
  });

  it('fails when a view failed and none loads', () => {
    expect(combineViewStates(['ready', 'error'])).toBe('error');
  });

  it('is ready when every view is', () => {
    expect(combineViewStates(['ready', 'ready'])).toBe('ready');
  });
});

describe('findDisabledModes', () => {
  const info = (colorModes: Array<'height' | 'intensity' | 'range' | 'ring'>) => ({ pointCount: 1, fields: [], droppedNonFinite: 0, colorModes });

  it('disables a mode that one sweep lacks and names it', () => {
    const disabled = findDisabledModes([
      { label: 'sample A', info: info(['height', 'intensity', 'range', 'ring']) },
      { label: 'sample B', info: info(['height', 'range', 'ring']) },
    ]);
    expect(Object.keys(disabled)).toEqual(['intensity']);
    expect(disabled.intensity).toBe('No intensity column in sample B.');
  });

  it('disables nothing before any sweep has loaded', () => {
    expect(findDisabledModes([])).toEqual({});
  });
});

describe('inspector fields', () => {
  const sample = (metadata: SampleView['metadata']): SampleView => ({
    sampleId: 's',
    datasetId: 'd',
    metadata,
    images: [],
    lidar: [],
    calibrations: [],
    warnings: [],
  });

  it('orders known fields first, then the rest alphabetically', () => {
    const fields = orderMetadataFields([sample({ zeta: 1, weather: 'rain', sampleId: 'a' }), sample({ alpha: 2, sequenceId: 'q' })]);
    expect(fields).toEqual(['sampleId', 'sequenceId', 'weather', 'alpha', 'zeta']);
  });

  it('splits matrices into rows', () => {
    expect(matrixRows([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(intrinsicColumns(new Array<number>(12).fill(0))).toBe(4);
    expect(intrinsicColumns(new Array<number>(9).fill(0))).toBe(3);
  });

  it('formats matrix values compactly', () => {
    expect(formatMatrixValue(0)).toBe('0');
    expect(formatMatrixValue(721.5377)).toBe('721.5377');
    expect(formatMatrixValue(0.0001)).toBe('1.000e-4');
  });
});
