/** Box geometry shared by the camera renderer, the LiDAR ray caster and the BEV raster. */
import type { Part } from './types.js';

/**
 * A part prepared for intersection: centre, half sizes and the rotation whose rows are the part's
 * local x, y and z axes expressed in the site frame.
 */
export interface PreparedBox {
  cx: number;
  cy: number;
  cz: number;
  hx: number;
  hy: number;
  hz: number;
  /** Row-major 3x3 whose row 0 is the local x axis in site coordinates. */
  axes: Float64Array;
  /** Radius of the sphere around the centre that contains the box. */
  radius: number;
  part: Part;
}

export function prepareBox(part: Part): PreparedBox {
  const cosYaw = Math.cos(part.yaw);
  const sinYaw = Math.sin(part.yaw);
  const pitch = part.pitch ?? 0;
  const cosPitch = Math.cos(pitch);
  const sinPitch = Math.sin(pitch);
  // Local x is the heading tilted up by the pitch, local y stays level, local z completes the frame.
  const axes = new Float64Array([
    cosYaw * cosPitch, sinYaw * cosPitch, sinPitch,
    -sinYaw, cosYaw, 0,
    -cosYaw * sinPitch, -sinYaw * sinPitch, cosPitch,
  ]);
  const hx = part.length / 2;
  const hy = part.width / 2;
  const hz = part.height / 2;
  return { cx: part.x, cy: part.y, cz: part.z, hx, hy, hz, axes, radius: Math.hypot(hx, hy, hz), part };
}

/** Computes the 8 corners in the site frame, ordered by local (x, y, z) sign bits: index = ix + 2·iy + 4·iz. */
export function boxCorners(box: PreparedBox): Float64Array {
  const corners = new Float64Array(24);
  const a = box.axes;
  for (let index = 0; index < 8; index++) {
    const sx = (index & 1 ? 1 : -1) * box.hx;
    const sy = (index & 2 ? 1 : -1) * box.hy;
    const sz = (index & 4 ? 1 : -1) * box.hz;
    corners[index * 3] = box.cx + sx * a[0]! + sy * a[3]! + sz * a[6]!;
    corners[index * 3 + 1] = box.cy + sx * a[1]! + sy * a[4]! + sz * a[7]!;
    corners[index * 3 + 2] = box.cz + sx * a[2]! + sy * a[5]! + sz * a[8]!;
  }
  return corners;
}

/** Result of a ray-box intersection: distance along the ray and the outward face normal in the site frame. */
export interface RayHit {
  t: number;
  nx: number;
  ny: number;
  nz: number;
}

/**
 * Intersects the ray `origin + t · direction` (t > 0) with a box by the slab method in the box's
 * own frame. Fills `hit` with the entry point and returns true, or returns false when the ray
 * misses the box or starts inside it.
 */
export function intersectBox(box: PreparedBox, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, hit: RayHit): boolean {
  const a = box.axes;
  const rx = ox - box.cx;
  const ry = oy - box.cy;
  const rz = oz - box.cz;
  let tNear = -Infinity;
  let tFar = Infinity;
  let nearAxis = -1;
  let nearSign = 0;
  for (let axis = 0; axis < 3; axis++) {
    const ax = a[axis * 3]!;
    const ay = a[axis * 3 + 1]!;
    const az = a[axis * 3 + 2]!;
    const origin = rx * ax + ry * ay + rz * az;
    const direction = dx * ax + dy * ay + dz * az;
    const half = [box.hx, box.hy, box.hz][axis]!;

    if (Math.abs(direction) < 1e-12) {
      if (origin < -half || origin > half) return false;
      continue;
    }
    let t0 = (-half - origin) / direction;
    let t1 = (half - origin) / direction;
    let sign = -1;
    if (t0 > t1) {
      const swap = t0;
      t0 = t1;
      t1 = swap;
      sign = 1;
    }
    if (t0 > tNear) {
      tNear = t0;
      nearAxis = axis;
      nearSign = sign;
    }
    if (t1 < tFar) tFar = t1;
    if (tNear > tFar) return false;
  }

  if (tNear <= 0 || nearAxis < 0) return false;
  hit.t = tNear;
  hit.nx = nearSign * a[nearAxis * 3]!;
  hit.ny = nearSign * a[nearAxis * 3 + 1]!;
  hit.nz = nearSign * a[nearAxis * 3 + 2]!;
  return true;
}

/** Heading-aligned half sizes of a part's footprint on the ground (exact for yaw plus pitch). */
export function footprintHalfSizes(part: Part): { halfLength: number; halfWidth: number; top: number; bottom: number } {
  const pitch = part.pitch ?? 0;
  const hx = part.length / 2;
  const hz = part.height / 2;
  const cos = Math.abs(Math.cos(pitch));
  const sin = Math.abs(Math.sin(pitch));
  const halfHeight = sin * hx + cos * hz;
  return { halfLength: cos * hx + sin * hz, halfWidth: part.width / 2, top: part.z + halfHeight, bottom: part.z - halfHeight };
}

/** Mixes two integers into a 32-bit seed (murmur3 finalizer), so each sample and stream gets its own generator. */
export function mixSeed(...values: number[]): number {
  let hash = 0x9e3779b9;
  for (const value of values) {
    hash = Math.imul(hash ^ (value >>> 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
  }
  return hash >>> 0;
}
