/**
 * Readers for embeddings computed outside Apron. Each returns raw rows (ids and float32 vectors,
 * not yet normalised or checked against a dataset). embedding-import.ts does the checks.
 *
 * Formats:
 * - `.npy`: float32 or float16, shape (N, D), with ids from a separate file (one per line, or a JSON array).
 * - JSON: `{"ids": [...], "vectors": [[...], ...]}` or `[{"id": ..., "vector": [...]}, ...]`.
 * - Arrow IPC (file or stream format, so Feather v2) and Parquet: an id column and either one
 *   list<float> column or D numeric columns. Arrow bodies may be uncompressed, LZ4_FRAME or ZSTD.
 *   Parquet pages may be uncompressed, Snappy, GZIP, Brotli, ZSTD, LZ4 (Hadoop framing or raw) or LZ4_RAW.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ApronError } from '../core/errors.js';
import { parseNpy } from '../sensors/bev/npy.js';
import { registerArrowCodecs } from './arrow-codecs.js';

export interface RawEmbeddings {
  ids: string[];
  dimension: number;
  /** Row-major, `ids.length` rows of `dimension` values, as read (not normalised). */
  vectors: Float32Array;
}

export type EmbeddingFileFormat = 'npy' | 'json' | 'arrow' | 'parquet';

export interface TableColumnOptions {
  /** Id column. Default: the first of `id`, `sample_id`, `sampleId` that exists. */
  idColumn?: string;
  /** A list<float> column. Default: the only list column, else every numeric column except the id. */
  vectorColumn?: string;
}

const ID_COLUMN_NAMES = ['id', 'sample_id', 'sampleId'];

/** Detects the format from the magic bytes, then from the extension. */
export function detectFormat(bytes: Uint8Array, path: string): EmbeddingFileFormat {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 8));
  if (head.startsWith('\x93NUMPY')) return 'npy';
  if (head.startsWith('ARROW1')) return 'arrow';
  if (head.startsWith('PAR1')) return 'parquet';
  // An Arrow IPC stream begins with the continuation marker 0xFFFFFFFF.
  if (bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff) return 'arrow';
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  const firstChar = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart()[0];
  if (firstChar === '{' || firstChar === '[') return 'json';
  throw new ApronError('invalid-input', `Embedding file ${path} is not .npy, JSON, Arrow IPC or Parquet`, {
    path,
    hint: 'Export the vectors as .npy (with an id file), JSON, Arrow IPC (Feather v2) or Parquet.',
  });
}

/** Reads ids from a text file (one id per line) or a JSON array of strings or numbers. */
export function readIdList(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ApronError('unreadable-file', `Could not read the id file ${path}: ${(error as Error).message}`, { path, cause: error });
  }
  if (text.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ApronError('invalid-input', `Id file ${path} starts with "[" but is not valid JSON: ${(error as Error).message}`, { path, cause: error });
    }
    if (!Array.isArray(parsed)) throw new ApronError('invalid-input', `Id file ${path} is not a JSON array`, { path });
    return parsed.map((value, row) => idToString(value, row, path));
  }
  const lines = text.split(/\r?\n/);
  // A final newline leaves one empty string at the end, which is not an id.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, row) => {
    if (line.trim() === '') {
      throw new ApronError('invalid-input', `Id file ${path} has an empty line ${row + 1}`, { path, hint: 'Write one sample id per line, with no blank lines.' });
    }
  });
  return lines.map((line) => line.trim());
}

/** Reads an (N, D) float32 or float16 `.npy` array, with its ids from `idsPath`. */
export function readNpyEmbeddings(bytes: Uint8Array, path: string, idsPath: string | undefined): RawEmbeddings {
  if (idsPath === undefined) {
    throw new ApronError('invalid-input', `Embedding file ${path} is a .npy array, which has no sample ids`, {
      path,
      hint: 'Pass --ids FILE: a text file with one sample id per row of the array, or a JSON array of ids.',
    });
  }
  const array = parseNpy(bytes, path);
  if (array.shape.length !== 2 || array.shape[1] === 0) {
    throw new ApronError('invalid-input', `Embedding array ${path} has shape (${array.shape.join(', ')}), expected (N, D) with D > 0`, {
      path,
      hint: 'Save one row per sample: numpy.save(path, embeddings.reshape(len(ids), -1)).',
    });
  }
  const ids = readIdList(idsPath);
  const rows = array.shape[0]!;
  if (ids.length !== rows) {
    throw new ApronError('invalid-input', `Id file ${idsPath} has ${ids.length} ids, but ${path} has ${rows} rows`, {
      path: idsPath,
      hint: 'Write exactly one id per row of the array, in the same order.',
    });
  }
  return { ids, dimension: array.shape[1]!, vectors: array.data };
}

/** Reads `{"ids": [...], "vectors": [[...]]}` or `[{"id": ..., "vector": [...]}]`. */
export function readJsonEmbeddings(bytes: Uint8Array, path: string): RawEmbeddings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ApronError('invalid-input', `Embedding file ${path} is not valid JSON: ${(error as Error).message}`, { path, cause: error });
  }

  let ids: string[];
  let rows: unknown[];
  if (Array.isArray(parsed)) {
    ids = [];
    rows = [];
    parsed.forEach((entry: unknown, row) => {
      if (typeof entry !== 'object' || entry === null || !('id' in entry) || !('vector' in entry)) {
        throw new ApronError('invalid-input', `Entry ${row} of ${path} is not an object with "id" and "vector"`, { path, hint: JSON_SHAPES_HINT });
      }
      ids.push(idToString(entry.id, row, path));
      rows.push(entry.vector);
    });
  } else if (typeof parsed === 'object' && parsed !== null && 'ids' in parsed && 'vectors' in parsed && Array.isArray(parsed.ids) && Array.isArray(parsed.vectors)) {
    ids = parsed.ids.map((value: unknown, row: number) => idToString(value, row, path));
    rows = parsed.vectors;
    if (ids.length !== rows.length) {
      throw new ApronError('invalid-input', `Embedding file ${path} has ${ids.length} ids but ${rows.length} vectors`, { path });
    }
  } else {
    throw new ApronError('invalid-input', `Embedding file ${path} has neither of the supported JSON shapes`, { path, hint: JSON_SHAPES_HINT });
  }
  return packRows(ids, rows, path);
}

const JSON_SHAPES_HINT = 'Write {"ids": ["a", ...], "vectors": [[0.1, ...], ...]} or [{"id": "a", "vector": [0.1, ...]}, ...].';

/** A column-oriented table with values fetched by row, so Arrow and Parquet share the column logic. */
interface ColumnSource {
  columns: string[];
  rowCount: number;
  value(column: string, row: number): unknown;
}

/**
 * Reads an Arrow IPC file or stream (Feather v2 is the IPC file format), uncompressed or with
 * LZ4_FRAME or ZSTD compressed bodies (pyarrow's feather default is LZ4).
 */
export function readArrowEmbeddings(bytes: Uint8Array, path: string, options: TableColumnOptions): RawEmbeddings {
  registerArrowCodecs();
  let table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new ApronError('invalid-input', `Could not read the Arrow table ${path}: ${(error as Error).message}`, {
      path,
      hint: 'Write an Arrow IPC file that is uncompressed or uses LZ4 or ZSTD, for example pyarrow.feather.write_feather(table, path).',
      cause: error,
    });
  }
  const columns = table.schema.fields.map((field) => field.name);
  const children = new Map(columns.map((name) => [name, table.getChild(name)]));
  const source: ColumnSource = {
    columns,
    rowCount: table.numRows,
    value: (column, row) => {
      const value: unknown = children.get(column)?.get(row);
      // A list cell is an Arrow Vector, and toArray returns its values as a typed array.
      if (typeof value === 'object' && value !== null && 'toArray' in value && typeof value.toArray === 'function') return value.toArray() as unknown;
      return value;
    },
  };
  return readColumns(source, path, options);
}

/**
 * Reads a Parquet file through hyparquet, with the page codecs of hyparquet-compressors 1.1
 * (Snappy, GZIP, Brotli, ZSTD, LZ4 and LZ4_RAW). LZO pages are rejected: no codec reads them.
 */
export async function readParquetEmbeddings(bytes: Uint8Array, path: string, options: TableColumnOptions): Promise<RawEmbeddings> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: buffer, compressors });
  } catch (error) {
    throw new ApronError('invalid-input', `Could not read the Parquet file ${path}: ${(error as Error).message}`, {
      path,
      hint: 'Write the table uncompressed or with Snappy, GZIP, Brotli, ZSTD or LZ4, for example pyarrow.parquet.write_table(table, path, compression="zstd").',
      cause: error,
    });
  }
  const first = rows[0];
  const source: ColumnSource = {
    columns: first === undefined ? [] : Object.keys(first),
    rowCount: rows.length,
    value: (column, row) => rows[row]?.[column],
  };
  return readColumns(source, path, options);
}

function readColumns(source: ColumnSource, path: string, options: TableColumnOptions): RawEmbeddings {
  if (source.rowCount === 0) {
    throw new ApronError('invalid-input', `Embedding table ${path} has no rows`, { path });
  }
  const columnList = source.columns.join(', ');
  const idColumn = options.idColumn ?? ID_COLUMN_NAMES.find((name) => source.columns.includes(name));
  if (idColumn === undefined || !source.columns.includes(idColumn)) {
    throw new ApronError('invalid-input', `Embedding table ${path} has no id column ${idColumn === undefined ? `(looked for ${ID_COLUMN_NAMES.join(', ')})` : `"${idColumn}"`}; its columns are: ${columnList}`, {
      path,
      hint: 'Name the column of sample ids with --id-column.',
    });
  }
  const ids = Array.from({ length: source.rowCount }, (_, row) => idToString(source.value(idColumn, row), row, path));

  const isList = (value: unknown): boolean => Array.isArray(value) || ArrayBuffer.isView(value);
  const isNumber = (value: unknown): boolean => typeof value === 'number' || typeof value === 'bigint';

  if (options.vectorColumn !== undefined) {
    if (!source.columns.includes(options.vectorColumn)) {
      throw new ApronError('invalid-input', `Embedding table ${path} has no column "${options.vectorColumn}"; its columns are: ${columnList}`, { path });
    }
    return readListColumn(source, ids, options.vectorColumn, path);
  }

  const others = source.columns.filter((column) => column !== idColumn);
  const listColumns = others.filter((column) => isList(source.value(column, 0)));
  if (listColumns.length === 1) return readListColumn(source, ids, listColumns[0]!, path);
  if (listColumns.length > 1) {
    throw new ApronError('invalid-input', `Embedding table ${path} has several list columns (${listColumns.join(', ')})`, {
      path,
      hint: 'Choose the vector column with --vector-column.',
    });
  }

  const numberColumns = others.filter((column) => isNumber(source.value(column, 0)));
  if (numberColumns.length === 0) {
    throw new ApronError('invalid-input', `Embedding table ${path} has no list<float> column and no numeric columns; its columns are: ${columnList}`, {
      path,
      hint: 'Store each vector as a list<float> column, or as one numeric column per dimension.',
    });
  }
  const rows = Array.from({ length: source.rowCount }, (_, row) => numberColumns.map((column) => source.value(column, row)));
  return packRows(ids, rows, path);
}

function readListColumn(source: ColumnSource, ids: string[], column: string, path: string): RawEmbeddings {
  const rows = Array.from({ length: source.rowCount }, (_, row) => {
    const value = source.value(column, row);
    if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
      throw new ApronError('invalid-input', `Column "${column}" of ${path} is not a list of numbers at row ${row} (id ${ids[row]})`, { path });
    }
    return value;
  });
  return packRows(ids, rows, path);
}

/**
 * Copies rows of numbers into one Float32Array. Every row must have the first row's length, and
 * every value must be a number. NaN and infinities are kept here and rejected by the import checks.
 */
function packRows(ids: string[], rows: unknown[], path: string): RawEmbeddings {
  const first = rows[0];
  const dimension = first !== undefined && (Array.isArray(first) || ArrayBuffer.isView(first)) ? (first as ArrayLike<unknown>).length : 0;
  if (rows.length > 0 && dimension === 0) {
    throw new ApronError('invalid-input', `The first vector of ${path} (id ${ids[0]}) is empty or not a list of numbers`, { path });
  }
  const vectors = new Float32Array(rows.length * dimension);
  rows.forEach((row, index) => {
    const values = Array.isArray(row) || ArrayBuffer.isView(row) ? (row as ArrayLike<unknown>) : undefined;
    if (values === undefined || values.length !== dimension) {
      throw new ApronError('invalid-input', `Vector of id ${ids[index]} in ${path} has ${values?.length ?? 'no'} values, but the first vector has ${dimension}`, {
        path,
        hint: 'Every vector of one embedding version must have the same dimension.',
      });
    }
    for (let d = 0; d < dimension; d++) {
      const value = values[d];
      // JSON has no NaN or Infinity, so null is how exporters usually write them.
      if (value === null) {
        vectors[index * dimension + d] = Number.NaN;
      } else if (typeof value === 'number' || typeof value === 'bigint') {
        vectors[index * dimension + d] = Number(value);
      } else {
        throw new ApronError('invalid-input', `Vector of id ${ids[index]} in ${path} has the non-numeric value ${JSON.stringify(value)} at position ${d}`, { path });
      }
    }
  });
  return { ids, dimension, vectors };
}

function idToString(value: unknown, row: number, path: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if ((typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint') return String(value);
  throw new ApronError('invalid-input', `Row ${row} of ${path} has the invalid sample id ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)}`, {
    path,
    hint: 'Sample ids must be non-empty strings or integers, matching the sample ids of the dataset manifest.',
  });
}
