import type { SampleView } from '../../../src/api/contract.js';

/**
 * Metadata fields shown first, in this order; any other field follows alphabetically.
 */
const FIELD_ORDER = [
  'sampleId',
  'sequenceId',
  'timestampNs',
  'site',
  'routeId',
  'routeSegment',
  'placeId',
  'pose.x',
  'pose.y',
  'pose.z',
  'pose.yaw',
  'weather',
  'timeOfDay',
  'season',
  'calibrationId',
  'trackIds',
];

/** Return every metadata field of the samples: the known ones in FIELD_ORDER, then the rest sorted. */
export function orderMetadataFields(samples: readonly SampleView[]): string[] {
  const all = new Set(samples.flatMap((sample) => Object.keys(sample.metadata)));
  const known = FIELD_ORDER.filter((field) => all.has(field));
  const rest = [...all].filter((field) => !FIELD_ORDER.includes(field)).sort();
  return [...known, ...rest];
}

/** Split a row-major matrix into rows of `columns` values; a trailing partial row is kept. */
export function matrixRows(values: readonly number[], columns: number): number[][] {
  const rows: number[][] = [];
  for (let start = 0; start < values.length; start += columns) rows.push(values.slice(start, start + columns));
  return rows;
}

/** Columns of an intrinsic matrix: 3x3 has 9 values, 3x4 has 12. */
export function intrinsicColumns(values: readonly number[]): number {
  return values.length === 12 ? 4 : 3;
}

export function formatMatrixValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 || Math.abs(value) < 0.001 ? value.toExponential(3) : value.toFixed(4);
}
