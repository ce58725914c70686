/**
 * Reader for Argoverse 2 LiDAR sweeps: Arrow Feather v2 files with float16 x, y, z and further
 * numeric columns (intensity, laser_number, offset_ns).
 */
import { compressionRegistry, CompressionType, DataType, tableFromIPC, type Table } from 'apache-arrow';

import { checkArrowFile } from './arrow-ipc-check.js';
import { finishPointCloud } from './finish.js';
import { lz4FrameDecompress } from './lz4-frame.js';
import { PointCloudError, type PointCloud, type PointColumn, type PointField } from './point-cloud.js';

// Register the LZ4 codec once, keeping any codec that other code registered first.
if (compressionRegistry.get(CompressionType.LZ4_FRAME) === null) {
  compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: lz4FrameDecompress });
}

/** Converts one IEEE 754 half-precision value, stored as its 16 bits, to a number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// All 65,536 half values, built once, so conversion is one lookup per value.
let halfTable: Float32Array | undefined;
function getHalfTable(): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = halfToNumber(bits);
  }
  return halfTable;
}

function isNumericType(type: DataType): boolean {
  return DataType.isFloat(type) || DataType.isInt(type);
}

/** Copies one numeric Arrow column into a typed column; nulls become NaN. */
function readColumn(table: Table, name: string, type: DataType): PointColumn {
  const vector = table.getChild(name);
  const count = table.numRows;
  const isHalf = DataType.isFloat(type) && type.precision === 0;
  const bitWidth = DataType.isInt(type) ? type.bitWidth : 0;
  const values = isHalf || bitWidth === 8 || bitWidth === 16 || (DataType.isFloat(type) && type.precision === 1) ? new Float32Array(count) : new Float64Array(count);
  if (vector === null) return values;

  if (isHalf) {
    // get() on a Float16 vector converts each value through a slower path; the raw bits are in data.values.
    const table16 = getHalfTable();
    let row = 0;
    for (const chunk of vector.data) {
      const bits = chunk.values as Uint16Array;
      for (let i = 0; i < chunk.length; i++) values[row + i] = chunk.getValid(i) ? (table16[bits[i] as number] as number) : Number.NaN;
      row += chunk.length;
    }
    return values;
  }

  for (let i = 0; i < count; i++) {
    const value: unknown = vector.get(i);
    values[i] = value === null ? Number.NaN : Number(value);
  }
  return values;
}

/** Reads an Argoverse 2 sweep; float16 positions become float32, other numeric columns keep their values. */
export function readArgoverse2Feather(bytes: Uint8Array, source: string): PointCloud {
  let table: Table;

  // apache-arrow loops forever on some corrupt framing, so the framing is checked here first.
  const framingProblem = checkArrowFile(bytes);
  if (framingProblem !== undefined) throw new PointCloudError(source, `not a readable Arrow Feather file (${framingProblem})`);

  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw new PointCloudError(source, `not a readable Arrow Feather file (${problem})`);
  }

  // Non-numeric columns (strings, lists, Arrow timestamps) are skipped because a point column is a number per point.
  const fields: PointField[] = [];
  for (const field of table.schema.fields) {
    if (!isNumericType(field.type)) continue;
    try {
      fields.push({ name: field.name, values: readColumn(table, field.name, field.type) });
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      throw new PointCloudError(source, `column "${field.name}" cannot be decoded (${problem})`);
    }
  }
  return finishPointCloud('argoverse2-feather', fields, table.numRows, source);
}
