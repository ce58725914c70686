/**
 * LZ4 frame decompression, the codec pyarrow uses by default for Feather v2 files (Argoverse 2
 * sweeps among them). apache-arrow 21 for JavaScript reads compressed IPC only through a codec
 * registered in its `compressionRegistry`, and ships none.
 *
 * Follows the LZ4 frame and block format descriptions (lz4/lz4 doc/lz4_Frame_format.md and
 * lz4_Block_format.md). Every read and write is bounds-checked.
 */

const FRAME_MAGIC = 0x184d2204;
const BLOCK_MAX_SIZES: Partial<Record<number, number>> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

interface FrameBlock {
  start: number;
  size: number;
  compressed: boolean;
}

function fail(problem: string): never {
  throw new Error(`corrupt LZ4 frame: ${problem}`);
}

function readUint32(input: Uint8Array, offset: number): number {
  if (offset + 4 > input.length) fail(`needs 4 bytes at offset ${offset} but the input ends at ${input.length}`);
  return ((input[offset] as number) | ((input[offset + 1] as number) << 8) | ((input[offset + 2] as number) << 16) | ((input[offset + 3] as number) << 24)) >>> 0;
}

/** Reads an LZ4 length extension: bytes of 255 continue it, the first other byte ends it. */
function readLengthExtension(input: Uint8Array, position: { ip: number }, end: number): number {
  let total = 0;
  for (;;) {
    if (position.ip >= end) fail('block ends inside a length extension');
    const byte = input[position.ip++] as number;
    total += byte;
    if (byte !== 255) return total;
  }
}

/** Decodes one compressed block into `output` at `op`; back-references may reach earlier blocks. Returns the new `op`. */
function decodeBlock(input: Uint8Array, start: number, end: number, output: Uint8Array, op: number): number {
  const position = { ip: start };

  while (position.ip < end) {
    const token = input[position.ip++] as number;

    let literalLength = token >> 4;
    if (literalLength === 15) literalLength += readLengthExtension(input, position, end);
    if (position.ip + literalLength > end) fail('literal run passes the end of its block');
    if (op + literalLength > output.length) fail('literal run passes the declared block size');
    output.set(input.subarray(position.ip, position.ip + literalLength), op);
    position.ip += literalLength;
    op += literalLength;

    // The last sequence of a block carries literals only.
    if (position.ip === end) break;

    if (position.ip + 2 > end) fail('block ends inside a match offset');
    const distance = (input[position.ip] as number) | ((input[position.ip + 1] as number) << 8);
    position.ip += 2;
    if (distance === 0 || distance > op) fail(`match offset ${distance} points outside the output`);

    let matchLength = token & 15;
    if (matchLength === 15) matchLength += readLengthExtension(input, position, end);
    matchLength += 4;
    if (op + matchLength > output.length) fail('match passes the declared block size');

    // Byte by byte, because a match may overlap the bytes it is producing.
    const reference = op - distance;
    for (let k = 0; k < matchLength; k++) output[op + k] = output[reference + k] as number;
    op += matchLength;
  }
  return op;
}

/**
 * Decompresses one LZ4 frame. Raises an Error when the frame is corrupt.
 * NOTE: block and content checksums are skipped, not verified, so bit flips inside literal runs
 * pass undetected; the point-cloud checks after decoding still bound what such a flip can do.
 */
export function lz4FrameDecompress(input: Uint8Array): Uint8Array {
  if (readUint32(input, 0) !== FRAME_MAGIC) fail('missing magic number');
  if (input.length < 7) fail('header is truncated');
  const flags = input[4] as number;
  const blockDescriptor = input[5] as number;
  if (flags >> 6 !== 1) fail(`unsupported frame version ${flags >> 6}`);
  const hasBlockChecksum = (flags & 0x10) !== 0;
  const hasContentSize = (flags & 0x08) !== 0;
  const hasContentChecksum = (flags & 0x04) !== 0;
  const hasDictionary = (flags & 0x01) !== 0;
  if (hasDictionary) fail('frames that need an external dictionary are not supported');
  const blockMaxSize = BLOCK_MAX_SIZES[(blockDescriptor >> 4) & 7];
  if (blockMaxSize === undefined) fail(`invalid block maximum size code ${(blockDescriptor >> 4) & 7}`);

  // Header: magic, FLG, BD, optional 8-byte content size, header checksum byte.
  let offset = 6 + (hasContentSize ? 8 : 0) + 1;

  // First pass: locate the blocks, so the output can be sized before anything is decoded.
  const blocks: FrameBlock[] = [];
  let capacity = 0;
  for (;;) {
    const word = readUint32(input, offset);
    offset += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    const compressed = (word & 0x80000000) === 0;
    if (size > blockMaxSize) fail(`block of ${size} bytes exceeds the frame's ${blockMaxSize}-byte maximum`);
    if (offset + size > input.length) fail(`block of ${size} bytes at offset ${offset} passes the end of the input`);
    blocks.push({ start: offset, size, compressed });
    capacity += compressed ? blockMaxSize : size;
    offset += size + (hasBlockChecksum ? 4 : 0);
  }
  if (hasContentChecksum && offset + 4 > input.length) fail('content checksum is missing');

  const output = new Uint8Array(capacity);
  let op = 0;
  for (const block of blocks) {
    if (block.compressed) {
      const blockEnd = Math.min(output.length, op + blockMaxSize);
      op = decodeBlock(input, block.start, block.start + block.size, output.subarray(0, blockEnd), op);
    } else {
      output.set(input.subarray(block.start, block.start + block.size), op);
      op += block.size;
    }
  }
  return output.slice(0, op);
}
