/**
 * Reading and multiplying the small row-major matrices that calibration files contain.
 */
import { ApronError } from '../../core/errors.js';

/** Flattens a JSON matrix, nested (`[[a, b], [c, d]]`) or flat, into `rows * columns` finite numbers. */
export function readJsonMatrix(value: unknown, rows: number, columns: number, key: string, path: string): number[] {
  if (value === undefined) {
    throw new ApronError('invalid-input', `Calibration ${path} is missing the key "${key}".`, {
      path,
      hint: `Add "${key}" as a ${rows}x${columns} matrix, or check that the file is the expected calibration format.`,
    });
  }

  const flat = Array.isArray(value) && value.every(Array.isArray) ? (value as unknown[][]).flat() : value;
  if (!Array.isArray(flat) || flat.length !== rows * columns) {
    throw new ApronError('invalid-input', `Calibration ${path}: "${key}" must be a ${rows}x${columns} matrix (${rows * columns} numbers).`, {
      path,
      hint: 'Check the matrix shape in the file.',
    });
  }

  return flat.map((entry, index) => requireFinite(entry, `${key}[${index}]`, path));
}

/** Parses whitespace-separated numbers and rejects anything that is not a finite number. */
export function parseNumberList(text: string, expectedCount: number, key: string, path: string): number[] {
  const tokens = text.trim().split(/\s+/).filter((token) => token.length > 0);
  if (tokens.length !== expectedCount) {
    throw new ApronError('invalid-input', `Calibration ${path}: "${key}" has ${tokens.length} numbers, expected ${expectedCount}.`, {
      path,
      hint: `Write ${expectedCount} numbers separated by spaces after "${key}:".`,
    });
  }

  return tokens.map((token, index) => {
    const value = Number(token);
    if (!Number.isFinite(value)) {
      throw new ApronError('invalid-input', `Calibration ${path}: "${key}" entry ${index} is not a number ("${token}").`, {
        path,
        hint: 'Fix the malformed number in the file.',
      });
    }
    return value;
  });
}

export function requireFinite(value: unknown, key: string, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ApronError('invalid-input', `Calibration ${path}: "${key}" is not a finite number (${JSON.stringify(value)}).`, {
      path,
      hint: 'Fix the malformed number in the file.',
    });
  }
  return value;
}

/** Extends a 3x3 rotation (KITTI `R0_rect`) or a 3x4 rigid transform to a homogeneous 4x4. */
export function toHomogeneous4(values: number[], columns: 3 | 4): number[] {
  const result = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  for (let row = 0; row < 3; row++) {
    for (let column = 0; column < columns; column++) {
      result[row * 4 + column] = values[row * columns + column] ?? 0;
    }
  }
  return result;
}

/** Multiplies two row-major 4x4 matrices: `a · b`. */
export function multiply4(a: number[], b: number[]): number[] {
  const result = new Array<number>(16).fill(0);
  for (let row = 0; row < 4; row++) {
    for (let column = 0; column < 4; column++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += (a[row * 4 + k] ?? 0) * (b[k * 4 + column] ?? 0);
      result[row * 4 + column] = sum;
    }
  }
  return result;
}

/** Returns a JSON object's property, or undefined when the value is not an object. */
export function property(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[key];
}

/** Parses JSON text and turns a syntax error into an error that names the file. */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApronError('invalid-input', `Calibration ${path} is not valid JSON: ${(error as Error).message}.`, {
      path,
      hint: 'Check that the file is complete and was not truncated.',
      cause: error,
    });
  }
}
