/**
 * Binary encodings of the sensor data the UI draws: a LiDAR sweep and its projection into a camera.
 *
 * As JSON, a 100k-point sweep would be about three times larger and would need parsing on the UI
 * thread. So both go as little-endian float32 columns behind a 32-byte header. The renderer imports this file to decode:
 * it must depend on nothing.
 *
 * Points:     'APTS', version, count, flags (1 intensity, 2 ring), droppedNonFinite, 3 reserved;
 *             then x, y, z, [intensity], [ring] as float32 columns of `count` values.
 * Projection: 'APRJ', version, count, inFrontCount, pointCount, imageWidth, imageHeight, reserved;
 *             then u, v, depth as float32 columns of `count` values.
 */

export const WIRE_VERSION = 1;
const HEADER_BYTES = 32;
const POINTS_MAGIC = 0x53545041; // 'APTS' read as a little-endian u32
const PROJECTION_MAGIC = 0x4a525041; // 'APRJ'
const HAS_INTENSITY = 1;
const HAS_RING = 2;

/** Points are capped so that a corrupt or hostile header cannot ask the UI for gigabytes. */
export const MAX_WIRE_POINTS = 4_000_000;

export interface WirePoints {
  count: number;
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  intensity: Float32Array | null;
  ring: Float32Array | null;
  droppedNonFinite: number;
}

export interface WireProjection {
  count: number;
  u: Float32Array;
  v: Float32Array;
  depth: Float32Array;
  /** Points in front of the camera, inside the image or not. */
  inFrontCount: number;
  /** Points in the sweep. */
  pointCount: number;
  imageWidth: number;
  imageHeight: number;
}

/** Raised when bytes are not a valid encoding: a truncated download or a server of another version. */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

export function encodePoints(points: WirePoints): Uint8Array {
  const columns = [points.x, points.y, points.z];
  let flags = 0;
  if (points.intensity !== null) {
    flags |= HAS_INTENSITY;
    columns.push(points.intensity);
  }
  if (points.ring !== null) {
    flags |= HAS_RING;
    columns.push(points.ring);
  }
  return encode([POINTS_MAGIC, WIRE_VERSION, points.count, flags, points.droppedNonFinite, 0, 0, 0], points.count, columns);
}

export function decodePoints(bytes: ArrayBuffer | Uint8Array): WirePoints {
  const { header, columns } = decode(bytes, POINTS_MAGIC, 'point cloud', (fields) => {
    const flags = fields[3] ?? 0;
    return 3 + (flags & HAS_INTENSITY ? 1 : 0) + (flags & HAS_RING ? 1 : 0);
  });
  const flags = header[3] ?? 0;
  let next = 3;
  const intensity = flags & HAS_INTENSITY ? columns[next++]! : null;
  const ring = flags & HAS_RING ? columns[next++]! : null;
  return {
    count: header[2] ?? 0,
    x: columns[0]!,
    y: columns[1]!,
    z: columns[2]!,
    intensity,
    ring,
    droppedNonFinite: header[4] ?? 0,
  };
}

export function encodeProjection(projection: WireProjection): Uint8Array {
  const header = [
    PROJECTION_MAGIC,
    WIRE_VERSION,
    projection.count,
    projection.inFrontCount,
    projection.pointCount,
    projection.imageWidth,
    projection.imageHeight,
    0,
  ];
  return encode(header, projection.count, [projection.u, projection.v, projection.depth]);
}

export function decodeProjection(bytes: ArrayBuffer | Uint8Array): WireProjection {
  const { header, columns } = decode(bytes, PROJECTION_MAGIC, 'projection', () => 3);
  return {
    count: header[2] ?? 0,
    u: columns[0]!,
    v: columns[1]!,
    depth: columns[2]!,
    inFrontCount: header[3] ?? 0,
    pointCount: header[4] ?? 0,
    imageWidth: header[5] ?? 0,
    imageHeight: header[6] ?? 0,
  };
}

function encode(header: number[], count: number, columns: Float32Array[]): Uint8Array {
  for (const column of columns) {
    if (column.length !== count) throw new WireFormatError(`A column has ${column.length} values where ${count} were expected.`);
  }
  const buffer = new ArrayBuffer(HEADER_BYTES + count * 4 * columns.length);
  const view = new DataView(buffer);
  header.forEach((value, index) => view.setUint32(index * 4, value, true));

  // NOTE: Float32Array views use the platform's byte order, so the columns are little-endian only on
  // little-endian machines (x86-64 and arm64, where Electron runs). A big-endian host would need DataView writes.
  const body = new Float32Array(buffer, HEADER_BYTES);
  columns.forEach((column, index) => body.set(column, index * count));
  return new Uint8Array(buffer);
}

function decode(
  input: ArrayBuffer | Uint8Array,
  magic: number,
  kind: string,
  columnCount: (header: number[]) => number,
): { header: number[]; columns: Float32Array[] } {
  // Copy into a fresh, aligned buffer: a Uint8Array from a network read may start at any offset.
  const bytes = input instanceof Uint8Array ? input.slice() : new Uint8Array(input.slice(0));
  if (bytes.byteLength < HEADER_BYTES) throw new WireFormatError(`The ${kind} data is ${bytes.byteLength} bytes, shorter than its header.`);

  const view = new DataView(bytes.buffer);
  const header = Array.from({ length: HEADER_BYTES / 4 }, (_, index) => view.getUint32(index * 4, true));
  if (header[0] !== magic) throw new WireFormatError(`The ${kind} data does not start with the expected marker.`);
  if (header[1] !== WIRE_VERSION) {
    throw new WireFormatError(`The ${kind} data has wire version ${header[1]}; this UI reads version ${WIRE_VERSION}. Reload the page.`);
  }

  const count = header[2] ?? 0;
  if (count > MAX_WIRE_POINTS) throw new WireFormatError(`The ${kind} data declares ${count} points, more than the ${MAX_WIRE_POINTS} allowed.`);
  const columns = columnCount(header);
  const expected = HEADER_BYTES + count * 4 * columns;
  if (bytes.byteLength !== expected) {
    throw new WireFormatError(`The ${kind} data is ${bytes.byteLength} bytes; ${count} points need ${expected}.`);
  }

  const body = new Float32Array(bytes.buffer, HEADER_BYTES, count * columns);
  return { header, columns: Array.from({ length: columns }, (_, index) => body.subarray(index * count, (index + 1) * count)) };
}
