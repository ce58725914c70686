/**
 * Reader for PCD v0.7 files with ascii, binary or binary_compressed (LZF) data.
 */
import { finishPointCloud } from './finish.js';
import { LZF_MAX_RATIO, lzfDecompress } from './lzf.js';
import { parsePcdHeader, type PcdHeader } from './pcd-header.js';
import { PointCloudError, type PointCloud, type PointField } from './point-cloud.js';
import { createColumn, parseScalarText, readStridedColumn, splitTokens } from './scalar.js';

/** Column name for element `index` of a field: the name itself when COUNT is 1, else name_index. */
function columnName(name: string, count: number, index: number): string {
  return count === 1 ? name : `${name}_${index}`;
}

// PCL names padding fields "_"; they carry no data.
function isPadding(name: string): boolean {
  return name === '_';
}

/**
 * Decodes every column from binary data. Field f starts at `fieldStart(f)` and its points lie
 * `stride(f)` bytes apart: row-major for binary, one block per field for binary_compressed.
 */
function readBinaryColumns(header: PcdHeader, data: Uint8Array, columnMajor: boolean): PointField[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const columns: PointField[] = [];
  let blockStart = 0;

  for (const field of header.fields) {
    const start = columnMajor ? blockStart : field.offset;
    const stride = columnMajor ? field.size * field.count : header.pointSize;
    if (!isPadding(field.name)) {
      for (let k = 0; k < field.count; k++) {
        const values = createColumn(field.kind, header.points);
        readStridedColumn(view, start + k * field.size, stride, field.kind, true, values);
        columns.push({ name: columnName(field.name, field.count, k), values });
      }
    }
    blockStart += header.points * field.size * field.count;
  }
  return columns;
}

function readAsciiColumns(header: PcdHeader, data: Uint8Array, source: string): PointField[] {
  const valuesPerPoint = header.fields.reduce((sum, field) => sum + field.count, 0);

  // Each value takes at least one digit and one separator, so a shorter body cannot hold POINTS points.
  if (header.points * valuesPerPoint * 2 > data.length + 1) {
    throw new PointCloudError(source, `PCD header declares ${header.points} points but the ascii data has only ${data.length} bytes`);
  }

  const lines = new TextDecoder('latin1').decode(data).split('\n');
  const columns = header.fields.flatMap((field) => Array.from({ length: field.count }, (_, k) => ({
    name: columnName(field.name, field.count, k),
    values: createColumn(field.kind, header.points),
    padding: isPadding(field.name),
  })));

  let point = 0;
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const tokens = splitTokens(lines[lineIndex] as string);
    if (tokens.length === 0) continue;
    if (point >= header.points) throw new PointCloudError(source, `ascii data has more than the ${header.points} points the header declares (data line ${lineIndex + 1})`);
    if (tokens.length !== valuesPerPoint) throw new PointCloudError(source, `ascii data line ${lineIndex + 1} has ${tokens.length} values, expected ${valuesPerPoint}`);

    for (let c = 0; c < valuesPerPoint; c++) {
      const value = parseScalarText(tokens[c] as string);
      if (value === undefined) throw new PointCloudError(source, `ascii data line ${lineIndex + 1} has an invalid number "${tokens[c] ?? ''}"`);
      (columns[c] as { values: Float32Array | Float64Array }).values[point] = value;
    }
    point++;
  }
  if (point !== header.points) throw new PointCloudError(source, `ascii data has ${point} points, but the header declares ${header.points}`);

  return columns.filter((column) => !column.padding).map(({ name, values }) => ({ name, values }));
}

function readCompressedColumns(header: PcdHeader, data: Uint8Array, source: string): PointField[] {
  if (data.length < 8) throw new PointCloudError(source, 'binary_compressed data is shorter than its 8-byte size prefix');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const compressedSize = view.getUint32(0, true);
  const uncompressedSize = view.getUint32(4, true);
  const expectedSize = header.points * header.pointSize;

  if (uncompressedSize !== expectedSize) {
    throw new PointCloudError(source, `binary_compressed data declares ${uncompressedSize} uncompressed bytes, but ${header.points} points of ${header.pointSize} bytes need ${expectedSize}`);
  }
  if (8 + compressedSize > data.length) {
    throw new PointCloudError(source, `binary_compressed data declares ${compressedSize} compressed bytes but only ${data.length - 8} follow`);
  }
  // Checked before allocating the output, so a forged size cannot request gigabytes.
  if (uncompressedSize > compressedSize * LZF_MAX_RATIO) {
    throw new PointCloudError(source, `binary_compressed data claims ${compressedSize} bytes expand to ${uncompressedSize}, more than LZF can encode`);
  }

  const decoded = lzfDecompress(data.subarray(8, 8 + compressedSize), uncompressedSize);
  if (typeof decoded === 'string') throw new PointCloudError(source, `corrupt LZF data: ${decoded}`);
  return readBinaryColumns(header, decoded, true);
}

/** Reads a PCD v0.7 file; see PointCloud for how NaN positions are handled. */
export function readPcd(bytes: Uint8Array, source: string): PointCloud {
  const header = parsePcdHeader(bytes, source);
  const data = bytes.subarray(header.dataOffset);
  let fields: PointField[];

  if (header.data === 'ascii') {
    fields = readAsciiColumns(header, data, source);
  } else if (header.data === 'binary') {
    const expectedSize = header.points * header.pointSize;
    if (data.length < expectedSize) {
      throw new PointCloudError(source, `binary data has ${data.length} bytes, but ${header.points} points of ${header.pointSize} bytes need ${expectedSize}`);
    }
    fields = readBinaryColumns(header, data, false);
  } else {
    fields = readCompressedColumns(header, data, source);
  }
  return finishPointCloud('pcd', fields, header.points, source);
}
