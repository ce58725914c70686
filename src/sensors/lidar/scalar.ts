/**
 * Scalar types shared by the PCD and PLY readers, and strided column decoding from raw bytes.
 */
import type { PointColumn } from './point-cloud.js';

export type ScalarKind = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

export const SCALAR_SIZE: Record<ScalarKind, number> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float32: 4, float64: 8,
};

/** Allocates a column that stores every value of `kind` exactly (see PointCloud for the rule). */
export function createColumn(kind: ScalarKind, count: number): PointColumn {
  const exactInFloat32 = kind === 'float32' || SCALAR_SIZE[kind] <= 2;
  return exactInFloat32 ? new Float32Array(count) : new Float64Array(count);
}

/**
 * Decodes `out.length` values of `kind` starting at byte `start`, `stride` bytes apart.
 * The caller checks that the last value ends inside `view`. 64-bit integers beyond 2^53 lose
 * precision when converted to a double.
 */
export function readStridedColumn(view: DataView, start: number, stride: number, kind: ScalarKind, littleEndian: boolean, out: PointColumn): void {
  const count = out.length;
  let offset = start;

  // One loop per kind keeps the type switch out of the per-point work.
  switch (kind) {
    case 'int8': for (let i = 0; i < count; i++, offset += stride) out[i] = view.getInt8(offset); break;
    case 'uint8': for (let i = 0; i < count; i++, offset += stride) out[i] = view.getUint8(offset); break;
    case 'int16': for (let i = 0; i < count; i++, offset += stride) out[i] = view.getInt16(offset, littleEndian); break;
    case 'uint16': for (let i = 0; i < count; i++, offset += stride) out[i] = view.getUint16(offset, littleEndian); break;
    case 'int32': for (let i = 0; i < count; i++, offset += stride) out[i] = view.getInt32(offset, littleEndian); break;
    case 'uint32': for (let i = 0; i < count; i++, offset += stride) out[i] = view.getUint32(offset, littleEndian); break;
    case 'int64': for (let i = 0; i < count; i++, offset += stride) out[i] = Number(view.getBigInt64(offset, littleEndian)); break;
    case 'uint64': for (let i = 0; i < count; i++, offset += stride) out[i] = Number(view.getBigUint64(offset, littleEndian)); break;
    case 'float32': for (let i = 0; i < count; i++, offset += stride) out[i] = view.getFloat32(offset, littleEndian); break;
    case 'float64': for (let i = 0; i < count; i++, offset += stride) out[i] = view.getFloat64(offset, littleEndian); break;
  }
}

/** Parses one number written as text, accepting nan and inf as PCL and numpy write them; undefined when invalid. */
export function parseScalarText(token: string): number | undefined {
  const value = Number(token);
  if (!Number.isNaN(value)) return value;

  const lower = token.toLowerCase();
  if (lower === 'nan' || lower === '-nan' || lower === '+nan') return Number.NaN;
  if (lower === 'inf' || lower === '+inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  return undefined;
}

/** Splits text into whitespace-separated tokens. */
export function splitTokens(line: string): string[] {
  return line.split(/[ \t\r]+/).filter((token) => token.length > 0);
}
