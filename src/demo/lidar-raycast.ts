/**
 * A spinning LiDAR simulated by ray casting against the scene's boxes and the ground plane.
 * Intensity is the surface reflectivity times the cosine of the incidence angle, attenuated by rain,
 * snow or fog over the way out and back. Bad weather also drops returns, adds range noise and adds
 * spurious returns from drops and flakes close to the sensor.
 */
import { Rng } from '../core/rng.js';
import { intersectBox, prepareBox, type PreparedBox, type RayHit } from './geometry.js';
import { groundMaterial, indexMarkings } from './ground.js';
import { DEFAULT_LIDAR, lidarFrame, type LidarSpec } from './sensor-rig.js';
import type { VehiclePose, VisitScene, Weather } from './types.js';

export interface LidarSweep {
  /** Interleaved float32 x, y, z, reflectance per point in the sensor frame (x forward, y left, z up). */
  points: Float32Array;
  /** Per point: the object index hit, -1 for ground and static structure, -2 for a spurious weather return. */
  labels: Int32Array;
  count: number;
}

interface WeatherEffect {
  /** Extinction per metre at the LiDAR's wavelength, applied over the way out and back. */
  extinction: number;
  /** Share of returns lost regardless of range. */
  dropout: number;
  /** Standard deviation of the range error, metres. */
  rangeNoise: number;
  /** Share of rays that return from a drop or flake, and the range span of those returns. */
  spurious: number;
  spuriousRange: [number, number];
}

const WEATHER_EFFECTS: Record<Weather, WeatherEffect> = {
  clear: { extinction: 0.0005, dropout: 0.005, rangeNoise: 0.01, spurious: 0, spuriousRange: [1, 2] },
  rain: { extinction: 0.006, dropout: 0.05, rangeNoise: 0.02, spurious: 0.004, spuriousRange: [1, 6] },
  snow: { extinction: 0.01, dropout: 0.08, rangeNoise: 0.03, spurious: 0.02, spuriousRange: [1, 10] },
  fog: { extinction: 0.03, dropout: 0.1, rangeNoise: 0.04, spurious: 0.03, spuriousRange: [2, 15] },
};

/** Returns weaker than this after attenuation are below the detector's threshold. */
const MIN_INTENSITY = 0.004;
const SNOW_REFLECTIVITY = 0.55;

/** Casts one sweep from the vehicle at `pose`. The `seed` drives dropout, range noise and spurious returns. */
export function castLidar(scene: VisitScene, pose: VehiclePose, weather: Weather, seed: number, spec: LidarSpec = DEFAULT_LIDAR): LidarSweep {
  const frame = lidarFrame(pose);
  const effect = WEATHER_EFFECTS[weather];
  const markings = indexMarkings(scene.markings);
  const rng = new Rng(seed);
  const step = (2 * Math.PI) / spec.azimuthSteps;
  const bins = binBoxesByAzimuth(scene, frame, pose.yaw, spec);
  const cosYaw = Math.cos(pose.yaw);
  const sinYaw = Math.sin(pose.yaw);
  const cosAzimuth = Float64Array.from({ length: spec.azimuthSteps }, (_, k) => Math.cos(k * step));
  const sinAzimuth = Float64Array.from({ length: spec.azimuthSteps }, (_, k) => Math.sin(k * step));

  const points = new Float32Array(spec.beams * spec.azimuthSteps * 4);
  const labels = new Int32Array(spec.beams * spec.azimuthSteps);
  const hit: RayHit = { t: 0, nx: 0, ny: 0, nz: 0 };
  let count = 0;

  for (let beam = 0; beam < spec.beams; beam++) {
    const elevation = spec.beams === 1 ? spec.minElevation : spec.minElevation + ((spec.maxElevation - spec.minElevation) * beam) / (spec.beams - 1);
    const cosElevation = Math.cos(elevation);
    const lz = Math.sin(elevation);
    for (let k = 0; k < spec.azimuthSteps; k++) {
      // Direction in the sensor frame, then turned by the vehicle's yaw into the site frame.
      const lx = cosElevation * cosAzimuth[k]!;
      const ly = cosElevation * sinAzimuth[k]!;
      const dx = cosYaw * lx - sinYaw * ly;
      const dy = sinYaw * lx + cosYaw * ly;
      const dz = lz;

      let range = Infinity;
      let nx = 0;
      let ny = 0;
      let nz = 1;
      let reflectivity = 0;
      let label = -1;
      if (dz < 0) {
        range = -frame.z / dz;
        const material = groundMaterial(markings, frame.x + dx * range, frame.y + dy * range);
        reflectivity = weather === 'snow' ? Math.max(material.reflectivity, SNOW_REFLECTIVITY) : material.reflectivity;
      }
      for (const box of bins[k]!) {
        if (!intersectBox(box, frame.x, frame.y, frame.z, dx, dy, dz, hit) || hit.t >= range) continue;
        range = hit.t;
        nx = hit.nx;
        ny = hit.ny;
        nz = hit.nz;
        reflectivity = box.part.material.reflectivity;
        label = box.part.objectIndex;
      }

      let intensity: number;
      if (effect.spurious > 0 && rng.next() < effect.spurious) {
        const [near, far] = effect.spuriousRange;
        const draw = rng.next();
        range = Math.min(range, near + (far - near) * draw);
        intensity = 0.02 + 0.06 * draw;
        label = -2;
      } else {
        if (!(range <= spec.maxRange) || rng.next() < effect.dropout) continue;
        const incidence = Math.abs(nx * dx + ny * dy + nz * dz);
        intensity = reflectivity * incidence * Math.exp(-2 * effect.extinction * range);
        if (intensity < MIN_INTENSITY) continue;
        range += approximateGaussian(rng) * effect.rangeNoise;
      }

      const out = count * 4;
      points[out] = lx * range;
      points[out + 1] = ly * range;
      points[out + 2] = lz * range;
      points[out + 3] = Math.min(1, intensity);
      labels[count] = label;
      count++;
    }
  }
  return { points: points.subarray(0, count * 4), labels: labels.subarray(0, count), count };
}

/**
 * Lists, for each azimuth step, the boxes whose bounding sphere that step's rays can reach, so
 * that a ray tests a few boxes instead of all of them.
 */
function binBoxesByAzimuth(scene: VisitScene, frame: { x: number; y: number; z: number }, yaw: number, spec: LidarSpec): PreparedBox[][] {
  const bins: PreparedBox[][] = Array.from({ length: spec.azimuthSteps }, () => []);
  const step = (2 * Math.PI) / spec.azimuthSteps;
  for (const part of scene.parts) {
    const dx = part.x - frame.x;
    const dy = part.y - frame.y;
    const distance = Math.hypot(dx, dy);
    const box = prepareBox(part);
    if (distance - box.radius > spec.maxRange) continue;
    if (distance <= box.radius) {
      for (const bin of bins) bin.push(box);
      continue;
    }
    const azimuth = Math.atan2(dy, dx) - yaw;
    const half = Math.asin(box.radius / distance);
    const first = Math.floor((azimuth - half) / step) - 1;
    const last = Math.floor((azimuth + half) / step) + 1;
    for (let k = first; k <= last; k++) bins[((k % spec.azimuthSteps) + spec.azimuthSteps) % spec.azimuthSteps]!.push(box);
  }
  return bins;
}

/**
 * Draws an approximately standard normal number. The sum of three uniform draws has variance 1/4,
 * so twice its offset from 1.5 has variance 1. The result is bounded at ±3, which suits range noise.
 */
function approximateGaussian(rng: Rng): number {
  return (rng.next() + rng.next() + rng.next() - 1.5) * 2;
}

/** Serialises a sweep as a KITTI Velodyne `.bin`: little-endian float32 x, y, z, reflectance. */
export function kittiBinBytes(sweep: LidarSweep): Uint8Array {
  const bytes = new Uint8Array(sweep.count * 16);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < sweep.count * 4; i++) view.setFloat32(i * 4, sweep.points[i]!, true);
  return bytes;
}
