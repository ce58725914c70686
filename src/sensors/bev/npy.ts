/**
 * A reader for NumPy `.npy` arrays of float16 or float32 (little-endian, C order), as used for
 * Argoverse 2 ground-height rasters.
 *
 * Format (NumPy NEP 1): the magic `\x93NUMPY`, major and minor version bytes and a header length
 * (uint16 LE in version 1, uint32 LE in versions 2 and 3). The header that follows is a Python dict
 * literal with `descr`, `fortran_order` and `shape`, padded with spaces and ending in a newline.
 */
import { readFile } from 'node:fs/promises';
import { ApronError } from '../../core/errors.js';

export interface NpyArray {
  /** Source dtype. Values are widened to float32 either way. */
  dtype: 'float16' | 'float32';
  shape: number[];
  /** Row-major values. In Argoverse rasters NaN means no data. */
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Reads and parses a `.npy` file. */
export async function readNpyFile(path: string): Promise<NpyArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ApronError('unreadable-file', `Could not read the array file ${path}: ${(error as Error).message}.`, {
      path,
      hint: 'Check that the file exists and is readable.',
      cause: error,
    });
  }
  return parseNpy(bytes, path);
}

/** Parses `.npy` bytes. `path` only names the source in errors. */
export function parseNpy(bytes: Uint8Array, path: string): NpyArray {
  const invalid = (what: string, hint = 'Re-export the array with numpy.save, or check that the file is complete.'): ApronError =>
    new ApronError('invalid-input', `Array file ${path} ${what}.`, { path, hint });

  if (bytes.length < 10 || !MAGIC.every((byte, index) => bytes[index] === byte)) {
    throw invalid('is not a .npy file (the magic bytes "\\x93NUMPY" are missing)');
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] ?? 0;
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw invalid('ends inside its header length');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw invalid(`has the unsupported format version ${major}`, 'Versions 1, 2 and 3 are supported.');
  }
  if (headerStart + headerLength > bytes.length) {
    throw invalid(`declares a ${headerLength}-byte header but only ${bytes.length - headerStart} bytes follow the header length`);
  }

  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const { dtype, shape } = parseHeader(header, invalid);

  const count = shape.reduce((product, size) => product * size, 1);
  const itemSize = dtype === 'float16' ? 2 : 4;
  const dataStart = headerStart + headerLength;
  const expectedBytes = count * itemSize;
  if (bytes.length - dataStart < expectedBytes) {
    throw invalid(`is truncated: shape (${shape.join(', ')}) needs ${expectedBytes} data bytes but ${bytes.length - dataStart} are present`);
  }

  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const offset = dataStart + i * itemSize;
    data[i] = dtype === 'float16' ? halfToFloat(view.getUint16(offset, true)) : view.getFloat32(offset, true);
  }
  return { dtype, shape, data };
}

function parseHeader(header: string, invalid: (what: string, hint?: string) => ApronError): { dtype: NpyArray['dtype']; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortranOrder = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortranOrder === undefined || shapeText === undefined) {
    throw invalid(`has a malformed header (expected 'descr', 'fortran_order' and 'shape'): ${header.trim()}`);
  }

  // Only '<' (little-endian) is accepted, so big-endian ('>') and native-order ('=') files are rejected.
  let dtype: NpyArray['dtype'];
  if (descr === '<f2') dtype = 'float16';
  else if (descr === '<f4') dtype = 'float32';
  else throw invalid(`has the unsupported dtype '${descr}'`, "Save the raster as little-endian float16 ('<f2') or float32 ('<f4').");

  if (fortranOrder === 'True') {
    throw invalid('is stored in Fortran (column-major) order', 'Save it with numpy.ascontiguousarray first.');
  }

  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const size = Number(part);
      if (!Number.isSafeInteger(size) || size < 0) throw invalid(`has an invalid shape entry '${part}'`);
      return size;
    });
  return { dtype, shape };
}

/** Converts IEEE 754 binary16 bits to a number. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
