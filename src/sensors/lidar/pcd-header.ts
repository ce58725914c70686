/**
 * Parsing of the text header of a PCD v0.7 file (the Point Cloud Library format).
 */
import { PointCloudError } from './point-cloud.js';
import type { ScalarKind } from './scalar.js';

export type PcdDataEncoding = 'ascii' | 'binary' | 'binary_compressed';

export interface PcdField {
  name: string;
  kind: ScalarKind;
  size: number;
  count: number;
  /** Byte offset of the field inside one binary point record. */
  offset: number;
}

export interface PcdHeader {
  fields: PcdField[];
  points: number;
  /** Bytes of one binary point record, the sum of size * count over the fields. */
  pointSize: number;
  data: PcdDataEncoding;
  /** Byte offset of the first data byte, just after the DATA line. */
  dataOffset: number;
}

// PCL headers are a dozen short lines; anything longer without a DATA line is not a PCD file.
const MAX_HEADER_BYTES = 64 * 1024;

const TYPE_KINDS: Record<string, Partial<Record<number, ScalarKind>>> = {
  F: { 4: 'float32', 8: 'float64' },
  I: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
  U: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
};

function parseCount(source: string, key: string, text: string | undefined): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new PointCloudError(source, `PCD header ${key} value "${text ?? ''}" is not a non-negative integer`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new PointCloudError(source, `PCD header ${key} value ${text} is too large`);
  return value;
}

/** Parses the header lines up to and including DATA, checking that they agree with each other. */
export function parsePcdHeader(bytes: Uint8Array, source: string): PcdHeader {
  const entries = new Map<string, string[]>();
  let offset = 0;
  let dataOffset = -1;

  while (offset < bytes.length && offset < MAX_HEADER_BYTES) {
    let end = bytes.indexOf(0x0a, offset);
    if (end < 0) end = bytes.length;
    const line = new TextDecoder('latin1').decode(bytes.subarray(offset, end)).trim();
    offset = end + 1;

    if (line === '' || line.startsWith('#')) continue;
    const [key, ...values] = line.split(/\s+/);
    if (key === undefined) continue;
    entries.set(key.toUpperCase(), values);
    if (key.toUpperCase() === 'DATA') {
      dataOffset = Math.min(offset, bytes.length);
      break;
    }
  }
  if (dataOffset < 0) throw new PointCloudError(source, `no DATA line in the first ${MAX_HEADER_BYTES} bytes, so this is not a PCD file`);

  const names = entries.get('FIELDS');
  const sizes = entries.get('SIZE');
  const types = entries.get('TYPE');
  if (names === undefined || sizes === undefined || types === undefined) throw new PointCloudError(source, 'PCD header lacks FIELDS, SIZE or TYPE');
  const counts = entries.get('COUNT') ?? names.map(() => '1');
  if (sizes.length !== names.length || types.length !== names.length || counts.length !== names.length) {
    throw new PointCloudError(source, `PCD header declares ${names.length} FIELDS but ${sizes.length} SIZE, ${types.length} TYPE and ${counts.length} COUNT values`);
  }

  const fields: PcdField[] = [];
  let pointSize = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const size = parseCount(source, 'SIZE', sizes[i]);
    const type = (types[i] as string).toUpperCase();
    const kind = TYPE_KINDS[type]?.[size];
    if (kind === undefined) throw new PointCloudError(source, `field "${name}" has unknown TYPE ${type} with SIZE ${size} (expected F 4/8, I 1/2/4/8 or U 1/2/4/8)`);
    const count = parseCount(source, 'COUNT', counts[i]);
    if (count < 1 || count > 4096) throw new PointCloudError(source, `field "${name}" has COUNT ${count}, outside 1..4096`);
    fields.push({ name, kind, size, count, offset: pointSize });
    pointSize += size * count;
  }

  const width = parseCount(source, 'WIDTH', entries.get('WIDTH')?.[0]);
  const height = parseCount(source, 'HEIGHT', entries.get('HEIGHT')?.[0] ?? '1');
  const pointsText = entries.get('POINTS')?.[0];
  const points = pointsText === undefined ? width * height : parseCount(source, 'POINTS', pointsText);
  if (points !== width * height) throw new PointCloudError(source, `PCD header declares POINTS ${points} but WIDTH * HEIGHT = ${width} * ${height} = ${width * height}`);

  const data = entries.get('DATA')?.[0]?.toLowerCase();
  if (data !== 'ascii' && data !== 'binary' && data !== 'binary_compressed') {
    throw new PointCloudError(source, `PCD DATA encoding "${data ?? ''}" is not ascii, binary or binary_compressed`);
  }
  return { fields, points, pointSize, data, dataOffset };
}
