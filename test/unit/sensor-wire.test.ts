import { describe, expect, it } from 'vitest';
import { decodePoints, decodeProjection, encodePoints, encodeProjection, MAX_WIRE_POINTS, WireFormatError } from '../../src/api/sensor-wire.js';

const points = {
  count: 3,
  x: Float32Array.from([1, 2, 3]),
  y: Float32Array.from([-1, -2, -3]),
  z: Float32Array.from([0.5, 0.25, 0.125]),
  intensity: null,
  ring: Float32Array.from([0, 31, 7]),
  droppedNonFinite: 4,
};

describe('sensor wire format', () => {
  it('round-trips a sweep with the optional columns it has', () => {
    const bytes = encodePoints(points);
    expect(bytes.byteLength).toBe(32 + 3 * 4 * 4);

    const decoded = decodePoints(bytes);
    expect(Array.from(decoded.x)).toEqual([1, 2, 3]);
    expect(Array.from(decoded.z)).toEqual([0.5, 0.25, 0.125]);
    expect(decoded.intensity).toBeNull();
    expect(Array.from(decoded.ring!)).toEqual([0, 31, 7]);
    expect(decoded.droppedNonFinite).toBe(4);
  });

  it('decodes from a view that starts at an unaligned offset', () => {
    const bytes = encodePoints(points);
    const padded = new Uint8Array(bytes.byteLength + 3);
    padded.set(bytes, 3);
    expect(Array.from(decodePoints(padded.subarray(3)).y)).toEqual([-1, -2, -3]);
  });

  it('round-trips a projection', () => {
    const projection = {
      count: 2,
      u: Float32Array.from([10.5, 20]),
      v: Float32Array.from([1, 2]),
      depth: Float32Array.from([5, 50]),
      inFrontCount: 7,
      pointCount: 9,
      imageWidth: 1600,
      imageHeight: 900,
    };
    expect(decodeProjection(encodeProjection(projection))).toEqual(projection);
  });

  it('rejects truncated data, the wrong kind, another version and absurd counts', () => {
    const bytes = encodePoints(points);
    expect(() => decodePoints(bytes.subarray(0, bytes.byteLength - 4))).toThrow(/bytes; 3 points need 80/);
    expect(() => decodePoints(bytes.subarray(0, 10))).toThrow(/shorter than its header/);
    expect(() => decodeProjection(bytes)).toThrow(WireFormatError);

    const otherVersion = bytes.slice();
    new DataView(otherVersion.buffer).setUint32(4, 99, true);
    expect(() => decodePoints(otherVersion)).toThrow(/wire version 99/);

    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(8, MAX_WIRE_POINTS + 1, true);
    expect(() => decodePoints(huge)).toThrow(/more than the/);
  });

  it('refuses to encode columns of different lengths', () => {
    expect(() => encodePoints({ ...points, y: Float32Array.from([1]) })).toThrow(WireFormatError);
  });
});
