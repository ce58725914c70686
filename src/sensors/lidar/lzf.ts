/**
 * LZF decompression (the liblzf format that PCL uses for PCD binary_compressed data).
 *
 * Each control byte below 32 starts a run of control+1 literal bytes. Any other control byte is a
 * back-reference: the top 3 bits are the length minus 2 (7 means a length byte follows) and the low
 * 5 bits plus the next byte are the distance minus 1. Every read and write is bounds-checked.
 */

/** Largest expansion one compressed byte can give: a 3-byte back-reference copies at most 264 bytes. */
export const LZF_MAX_RATIO = 88;

/**
 * Decompresses `input` into exactly `outputSize` bytes. Returns the output, or a problem
 * description when the stream is corrupt or does not fill the output exactly.
 */
export function lzfDecompress(input: Uint8Array, outputSize: number): Uint8Array | string {
  const output = new Uint8Array(outputSize);
  let ip = 0;
  let op = 0;

  while (ip < input.length) {
    const control = input[ip++] as number;

    if (control < 32) {
      const length = control + 1;
      if (ip + length > input.length) return `literal run of ${length} bytes at input offset ${ip - 1} runs past the end`;
      if (op + length > outputSize) return `literal run at input offset ${ip - 1} overflows the declared ${outputSize} bytes`;
      output.set(input.subarray(ip, ip + length), op);
      ip += length;
      op += length;
      continue;
    }

    let length = control >> 5;
    if (length === 7) {
      if (ip >= input.length) return 'stream ends inside a back-reference length';
      length += input[ip++] as number;
    }
    if (ip >= input.length) return 'stream ends inside a back-reference distance';
    const reference = op - ((control & 0x1f) << 8) - 1 - (input[ip++] as number);
    length += 2;

    if (reference < 0) return `back-reference at input offset ${ip} points before the start of the output`;
    if (op + length > outputSize) return `back-reference at input offset ${ip} overflows the declared ${outputSize} bytes`;

    // Byte by byte, because source and destination may overlap (a run repeating its own output).
    for (let k = 0; k < length; k++) output[op + k] = output[reference + k] as number;
    op += length;
  }

  if (op !== outputSize) return `stream decodes to ${op} bytes, not the declared ${outputSize}`;
  return output;
}
