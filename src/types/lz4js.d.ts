/** Types for lz4js 0.2 (LZ4 frame format in plain JavaScript), which ships none. */
declare module 'lz4js' {
  interface Lz4js {
    /** Compresses `source` into one LZ4 frame. `maxSize` defaults to the worst-case bound. */
    compress(source: Uint8Array, maxSize?: number): Uint8Array;
    /** Decompresses one LZ4 frame. `maxSize` defaults to a bound read from the frame's block headers. */
    decompress(source: Uint8Array, maxSize?: number): Uint8Array;
    /**
     * Writes `source[start, start + length)` to `destination` as one raw LZ4 block and returns its size,
     * or 0 when no match was found. `hashTable` is scratch space of 2^16 entries.
     */
    compressBlock(source: Uint8Array, destination: Uint8Array, start: number, length: number, hashTable: Uint32Array): number;
  }
  const lz4js: Lz4js;
  export = lz4js;
}
