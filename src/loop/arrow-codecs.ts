/**
 * Body-buffer decoders for compressed Arrow IPC files. apache-arrow 21 decompresses LZ4_FRAME and
 * ZSTD record batches only through codecs registered in its global compressionRegistry, and ships
 * none itself. LZ4_FRAME uses lz4js and ZSTD uses fzstd. Neither gets an encoder, because fzstd
 * cannot compress and Apron writes no compressed Arrow files.
 */
import { compressionRegistry, CompressionType } from 'apache-arrow';
import { decompress as decompressZstd } from 'fzstd';
import lz4js from 'lz4js';

/** A decode-only codec in the shape of apache-arrow's compressionRegistry entries. */
export interface ArrowDecoder {
  decode(data: Uint8Array): Uint8Array;
}

export const LZ4_FRAME_DECODER: ArrowDecoder = { decode: (data) => aligned(lz4js.decompress(data)) };
export const ZSTD_DECODER: ArrowDecoder = { decode: (data) => aligned(decompressZstd(data)) };

/**
 * Returns `bytes`, copied to a fresh buffer when it starts at an offset that is not a multiple of 8.
 * apache-arrow views each decoded buffer in place as typed arrays (Float64Array needs 8-byte
 * alignment), and fzstd can return a view into the middle of a larger buffer.
 */
function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
}

/**
 * Registers the LZ4_FRAME and ZSTD decoders with apache-arrow. A codec that is already registered,
 * such as the LZ4 decoder of the Argoverse 2 point-cloud reader, is kept.
 */
export function registerArrowCodecs(): void {
  if (compressionRegistry.get(CompressionType.LZ4_FRAME) === null) compressionRegistry.set(CompressionType.LZ4_FRAME, LZ4_FRAME_DECODER);
  if (compressionRegistry.get(CompressionType.ZSTD) === null) compressionRegistry.set(CompressionType.ZSTD, ZSTD_DECODER);
}
