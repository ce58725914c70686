/**
 * Embedding files: `<id>.f32` stores row-major little-endian float32 vectors and `<id>.ids.json`
 * the sample id of each row, so a version stays readable after its dataset is re-imported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ApronError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { createLogger } from '../core/log.js';

const log = createLogger('embeddings');

export interface EmbeddingMatrix {
  sampleIds: string[];
  dimension: number;
  vectors: Float32Array;
}

export function idsPathFor(vectorsPath: string): string {
  return vectorsPath.replace(/\.f32$/, '') + '.ids.json';
}

export function writeEmbeddingFiles(vectorsPath: string, matrix: EmbeddingMatrix): void {
  if (matrix.vectors.length !== matrix.sampleIds.length * matrix.dimension) {
    throw new ApronError('internal', `Embedding matrix has ${matrix.vectors.length} values, expected ${matrix.sampleIds.length} x ${matrix.dimension}`);
  }
  // Each file is replaced atomically, but not both together, so the vectors go first and the ids
  // second. A crash between the two renames while appending leaves whole rows after the ones the
  // ids describe, and readEmbeddingFiles reads the version as it was before the append.
  writeFileAtomic(vectorsPath, new Uint8Array(matrix.vectors.buffer, matrix.vectors.byteOffset, matrix.vectors.byteLength));
  writeFileAtomic(idsPathFor(vectorsPath), JSON.stringify({ dimension: matrix.dimension, sampleIds: matrix.sampleIds }));
}

export function readEmbeddingFiles(vectorsPath: string): EmbeddingMatrix {
  const idsPath = idsPathFor(vectorsPath);
  for (const path of [vectorsPath, idsPath]) {
    if (!existsSync(path)) {
      throw new ApronError('not-found', `Embedding file not found: ${path}`, {
        path,
        hint: 'The workspace is incomplete; compute the embeddings again with `apron embed`.',
      });
    }
  }
  const ids = JSON.parse(readFileSync(idsPath, 'utf8')) as { dimension: number; sampleIds: string[] };
  const bytes = readFileSync(vectorsPath);
  const expected = ids.sampleIds.length * ids.dimension * 4;
  const rowBytes = ids.dimension * 4;
  if (bytes.length > expected && (bytes.length - expected) % rowBytes === 0) {
    // Rows past the ids are an append that stopped between its two renames: they have no sample ids.
    log.warn(`ignoring ${(bytes.length - expected) / rowBytes} rows without sample ids at the end of ${vectorsPath}, left by an interrupted append`);
  } else if (bytes.length !== expected) {
    throw new ApronError('unreadable-file', `Embedding file ${vectorsPath} has ${bytes.length} bytes, expected ${expected}`, {
      path: vectorsPath,
      hint: 'The file is truncated; compute the embeddings again with `apron embed`.',
    });
  }
  const vectors = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + expected));
  return { sampleIds: ids.sampleIds, dimension: ids.dimension, vectors };
}
