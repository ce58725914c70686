/**
 * Parsing of the text header of a PLY file (the Stanford polygon format).
 */
import { PointCloudError } from './point-cloud.js';
import type { ScalarKind } from './scalar.js';

export type PlyEncoding = 'ascii' | 'binary_little_endian' | 'binary_big_endian';

export interface PlyProperty {
  name: string;
  kind: ScalarKind;
  /** For a list property, the type of the length prefix; the values have `kind`. */
  listLengthKind?: ScalarKind;
}

export interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
}

export interface PlyHeader {
  encoding: PlyEncoding;
  elements: PlyElement[];
  dataOffset: number;
}

const MAX_HEADER_BYTES = 64 * 1024;

// PLY 1.0 names plus the sized aliases that numpy-based writers emit.
const PLY_TYPES: Record<string, ScalarKind> = {
  char: 'int8', uchar: 'uint8', short: 'int16', ushort: 'uint16', int: 'int32', uint: 'uint32', float: 'float32', double: 'float64',
  int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16', int32: 'int32', uint32: 'uint32', float32: 'float32', float64: 'float64',
};

function plyType(source: string, name: string | undefined): ScalarKind {
  const kind = name === undefined ? undefined : PLY_TYPES[name];
  if (kind === undefined) throw new PointCloudError(source, `PLY header has unknown property type "${name ?? ''}"`);
  return kind;
}

/** Parses the header up to end_header. */
export function parsePlyHeader(bytes: Uint8Array, source: string): PlyHeader {
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  const marker = new TextDecoder('latin1').decode(bytes.subarray(0, limit));
  const endIndex = marker.search(/end_header\r?\n/);
  if (!marker.startsWith('ply') || endIndex < 0) throw new PointCloudError(source, `not a PLY file: it lacks "ply" at the start or "end_header" in the first ${MAX_HEADER_BYTES} bytes`);
  const dataOffset = endIndex + (marker[endIndex + 10] === '\r' ? 12 : 11);

  let encoding: PlyEncoding | undefined;
  const elements: PlyElement[] = [];
  for (const rawLine of marker.slice(0, endIndex).split('\n').slice(1)) {
    const words = rawLine.trim().split(/\s+/);
    const keyword = words[0];

    if (keyword === 'format') {
      const value = words[1];
      if (value !== 'ascii' && value !== 'binary_little_endian' && value !== 'binary_big_endian') throw new PointCloudError(source, `PLY format "${value ?? ''}" is unknown`);
      encoding = value;
    } else if (keyword === 'element') {
      const countText = words[2] ?? '';
      if (!/^\d+$/.test(countText) || !Number.isSafeInteger(Number(countText))) throw new PointCloudError(source, `PLY element "${words[1] ?? ''}" has invalid count "${countText}"`);
      elements.push({ name: words[1] ?? '', count: Number(countText), properties: [] });
    } else if (keyword === 'property') {
      const element = elements[elements.length - 1];
      if (element === undefined) throw new PointCloudError(source, 'PLY header has a property before any element');
      if (words[1] === 'list') {
        element.properties.push({ name: words[4] ?? '', listLengthKind: plyType(source, words[2]), kind: plyType(source, words[3]) });
      } else {
        element.properties.push({ name: words[2] ?? '', kind: plyType(source, words[1]) });
      }
    }
    // comment, obj_info and blank lines carry nothing the reader needs.
  }

  if (encoding === undefined) throw new PointCloudError(source, 'PLY header has no format line');
  return { encoding, elements, dataOffset };
}
