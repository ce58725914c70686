/**
 * A software renderer for the demo camera. Boxes are rasterised as triangles into a z-buffer. A
 * shading pass per pixel then lights each box face (Lambert shading by the sun, ambient sky light,
 * the vehicle's lamp and the stand floodlights, plus emissive lights). Where no box is hit it draws
 * the ground and its markings, or the sky above the horizon. Exponential fog comes next, and rain
 * streaks or snowflakes go on top.
 *
 * NOTE: there are no cast shadows. Objects are lit only by the angle of their faces.
 */
import { Rng } from '../core/rng.js';
import { boxCorners, prepareBox } from './geometry.js';
import { groundMaterial, indexMarkings } from './ground.js';
import { lightingFor, type Lighting, type RenderConditions } from './lighting.js';
import { CAMERA, cameraFrame, type CameraSpec, type SensorFrame } from './sensor-rig.js';
import type { Material, Rgb, VehiclePose, VisitScene } from './types.js';

export interface CameraImage {
  width: number;
  height: number;
  /** Interleaved 8-bit RGB, row-major from the top-left pixel. */
  rgb: Uint8Array;
  /** Visible pixel count per object index (see `VisitScene.objects`). */
  objectPixels: Map<number, number>;
  /** Camera-frame depth (metres along the optical axis) of the nearest box per pixel, or Infinity where ground or sky shows. */
  depth: Float32Array;
}

/** Closest camera-frame depth that is drawn. Nearer geometry is clipped. */
const NEAR = 0.05;
/** Parts farther than this from the camera are skipped, because fog hides them at every weather but clear. */
const DRAW_DISTANCE = 400;
const LAMP_STRENGTH = 1.4;
const LAMP_HALF_DISTANCE = 14;
const SNOW_ALBEDO: Rgb = [0.82, 0.84, 0.88];

// Corner indices of each face (corner index = ix + 2·iy + 4·iz) and the axis and sign of its normal.
const FACES: { corners: [number, number, number, number]; axis: number; sign: number }[] = [
  { corners: [0, 2, 6, 4], axis: 0, sign: -1 },
  { corners: [1, 5, 7, 3], axis: 0, sign: 1 },
  { corners: [0, 4, 5, 1], axis: 1, sign: -1 },
  { corners: [2, 3, 7, 6], axis: 1, sign: 1 },
  { corners: [0, 1, 3, 2], axis: 2, sign: -1 },
  { corners: [4, 6, 7, 5], axis: 2, sign: 1 },
];

interface FaceTable {
  normals: number[];
  materials: Material[];
  objects: number[];
}

/** Renders the camera image seen from the vehicle at `pose`. The `seed` drives the rain, snow and sensor noise. */
export function renderCamera(scene: VisitScene, pose: VehiclePose, conditions: RenderConditions, seed: number, camera: CameraSpec = CAMERA): CameraImage {
  const frame = cameraFrame(pose, camera);
  const lighting = lightingFor(conditions);
  const { width, height } = camera;
  const depth = new Float32Array(width * height).fill(Infinity);
  const faceIds = new Int32Array(width * height).fill(-1);
  const faces: FaceTable = { normals: [], materials: [], objects: [] };

  rasteriseParts(scene, frame, camera, depth, faceIds, faces);
  const linear = shadePixels(scene, frame, camera, lighting, depth, faceIds, faces);

  const rng = new Rng(seed);
  if (conditions.weather === 'rain') drawRain(linear, width, height, lighting, rng);
  if (conditions.weather === 'snow') drawSnow(linear, width, height, lighting, rng);

  const pixelsPerFace = new Int32Array(faces.materials.length);
  for (let i = 0; i < faceIds.length; i++) {
    const faceId = faceIds[i]!;
    if (faceId >= 0) pixelsPerFace[faceId]!++;
  }
  const objectPixels = new Map<number, number>();
  pixelsPerFace.forEach((count, faceId) => {
    const objectIndex = faces.objects[faceId]!;
    if (count > 0 && objectIndex >= 0) objectPixels.set(objectIndex, (objectPixels.get(objectIndex) ?? 0) + count);
  });
  return { width, height, rgb: encodeSrgb(linear, rng), objectPixels, depth };
}

function rasteriseParts(scene: VisitScene, frame: SensorFrame, camera: CameraSpec, depth: Float32Array, faceIds: Int32Array, faces: FaceTable): void {
  const a = frame.axes;
  const cameraCoordinates = new Float64Array(24);
  const polygon: number[] = [];

  for (const part of scene.parts) {
    const rx = part.x - frame.x;
    const ry = part.y - frame.y;
    const rz = part.z - frame.z;
    const box = prepareBox(part);
    const forward = rx * a[6]! + ry * a[7]! + rz * a[8]!;
    if (forward < -box.radius || Math.hypot(rx, ry) - box.radius > DRAW_DISTANCE) continue;

    const corners = boxCorners(box);
    for (let i = 0; i < 8; i++) {
      const px = corners[i * 3]! - frame.x;
      const py = corners[i * 3 + 1]! - frame.y;
      const pz = corners[i * 3 + 2]! - frame.z;
      cameraCoordinates[i * 3] = a[0]! * px + a[1]! * py + a[2]! * pz;
      cameraCoordinates[i * 3 + 1] = a[3]! * px + a[4]! * py + a[5]! * pz;
      cameraCoordinates[i * 3 + 2] = a[6]! * px + a[7]! * py + a[8]! * pz;
    }

    for (const face of FACES) {
      const nx = face.sign * box.axes[face.axis * 3]!;
      const ny = face.sign * box.axes[face.axis * 3 + 1]!;
      const nz = face.sign * box.axes[face.axis * 3 + 2]!;
      const half = [box.hx, box.hy, box.hz][face.axis]!;
      // Back faces point away from the camera: the vector from the face centre to the camera is behind them.
      const toCamera = -(nx * (rx + nx * half) + ny * (ry + ny * half) + nz * (rz + nz * half));
      if (toCamera <= 0) continue;

      const faceId = faces.materials.length;
      faces.normals.push(nx, ny, nz);
      faces.materials.push(part.material);
      faces.objects.push(part.objectIndex);

      polygon.length = 0;
      for (const corner of face.corners) {
        polygon.push(cameraCoordinates[corner * 3]!, cameraCoordinates[corner * 3 + 1]!, cameraCoordinates[corner * 3 + 2]!);
      }
      const clipped = clipNear(polygon);
      if (clipped.length < 9) continue;
      const screen: number[] = [];
      for (let i = 0; i < clipped.length; i += 3) {
        const z = clipped[i + 2]!;
        screen.push(camera.fx * (clipped[i]! / z) + camera.cx, camera.fy * (clipped[i + 1]! / z) + camera.cy, 1 / z);
      }
      for (let i = 3; i + 3 < screen.length; i += 3) {
        fillTriangle(screen, 0, i, i + 3, faceId, camera.width, camera.height, depth, faceIds);
      }
    }
  }
}

/** Clips a convex polygon (flat x, y, z triples in the camera frame) to z >= NEAR. */
function clipNear(points: number[]): number[] {
  const result: number[] = [];
  const count = points.length / 3;
  for (let i = 0; i < count; i++) {
    const j = (i + 1) % count;
    const za = points[i * 3 + 2]!;
    const zb = points[j * 3 + 2]!;
    if (za >= NEAR) result.push(points[i * 3]!, points[i * 3 + 1]!, za);
    if (za >= NEAR !== zb >= NEAR) {
      const t = (NEAR - za) / (zb - za);
      result.push(points[i * 3]! + t * (points[j * 3]! - points[i * 3]!), points[i * 3 + 1]! + t * (points[j * 3 + 1]! - points[i * 3 + 1]!), NEAR);
    }
  }
  return result;
}

/**
 * Fills one triangle of screen vertices (u, v, 1/z) at pixel centres. 1/z is linear in screen space,
 * so it is interpolated and inverted per pixel to get the perspective-correct depth.
 */
function fillTriangle(screen: number[], i0: number, i1: number, i2: number, faceId: number, width: number, height: number, depth: Float32Array, faceIds: Int32Array): void {
  const u0 = screen[i0]!, v0 = screen[i0 + 1]!, w0 = screen[i0 + 2]!;
  const u1 = screen[i1]!, v1 = screen[i1 + 1]!, w1 = screen[i1 + 2]!;
  const u2 = screen[i2]!, v2 = screen[i2 + 1]!, w2 = screen[i2 + 2]!;
  const area = (u1 - u0) * (v2 - v0) - (v1 - v0) * (u2 - u0);
  if (Math.abs(area) < 1e-9) return;

  const minX = Math.max(0, Math.floor(Math.min(u0, u1, u2) - 0.5));
  const maxX = Math.min(width - 1, Math.ceil(Math.max(u0, u1, u2) - 0.5));
  const minY = Math.max(0, Math.floor(Math.min(v0, v1, v2) - 0.5));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(v0, v1, v2) - 0.5));
  if (minX > maxX || minY > maxY) return;

  const inverseArea = 1 / area;
  for (let y = minY; y <= maxY; y++) {
    const py = y + 0.5;
    for (let x = minX; x <= maxX; x++) {
      const px = x + 0.5;
      const b0 = ((u1 - px) * (v2 - py) - (v1 - py) * (u2 - px)) * inverseArea;
      const b1 = ((u2 - px) * (v0 - py) - (v2 - py) * (u0 - px)) * inverseArea;
      const b2 = 1 - b0 - b1;
      if (b0 < 0 || b1 < 0 || b2 < 0) continue;
      const z = 1 / (b0 * w0 + b1 * w1 + b2 * w2);
      const index = y * width + x;
      if (z < depth[index]!) {
        depth[index] = z;
        faceIds[index] = faceId;
      }
    }
  }
}

function shadePixels(
  scene: VisitScene,
  frame: SensorFrame,
  camera: CameraSpec,
  lighting: Lighting,
  depth: Float32Array,
  faceIds: Int32Array,
  faces: FaceTable,
): Float32Array {
  const { width, height } = camera;
  const a = frame.axes;
  const markings = indexMarkings(scene.markings);
  const lights = lighting.lightsOn ? scene.lights.filter((light) => Math.hypot(light.x - frame.x, light.y - frame.y) < 200) : [];
  const linear = new Float32Array(width * height * 3);
  const colour: [number, number, number] = [0, 0, 0];

  for (let y = 0; y < height; y++) {
    const dv = (y + 0.5 - camera.cy) / camera.fy;
    for (let x = 0; x < width; x++) {
      const du = (x + 0.5 - camera.cx) / camera.fx;
      // Ray direction in the site frame, scaled so that its camera-frame z is 1.
      const dx = a[0]! * du + a[3]! * dv + a[6]!;
      const dy = a[1]! * du + a[4]! * dv + a[7]!;
      const dz = a[2]! * du + a[5]! * dv + a[8]!;
      const rayLength = Math.sqrt(dx * dx + dy * dy + dz * dz);
      const index = y * width + x;
      const faceId = faceIds[index]!;

      let distance: number;
      if (faceId >= 0) {
        const t = depth[index]!;
        const material = faces.materials[faceId]!;
        shadeSurface(material.albedo, material.emissive, frame.x + dx * t, frame.y + dy * t, frame.z + dz * t, faces.normals[faceId * 3]!, faces.normals[faceId * 3 + 1]!, faces.normals[faceId * 3 + 2]!, frame, lighting, lights, colour);
        distance = t * rayLength;
      } else if (dz < -1e-6) {
        const t = -frame.z / dz;
        const gx = frame.x + dx * t;
        const gy = frame.y + dy * t;
        const material = groundMaterial(markings, gx, gy);
        shadeSurface(tintGround(material, lighting), undefined, gx, gy, 0, 0, 0, 1, frame, lighting, lights, colour);
        distance = t * rayLength;
      } else {
        const elevation = Math.sqrt(Math.max(0, dz / rayLength));
        for (let c = 0; c < 3; c++) colour[c] = lighting.skyHorizon[c]! + (lighting.skyZenith[c]! - lighting.skyHorizon[c]!) * elevation;
        // The sky is as far as the fog allows: at clear weather it keeps its own colour.
        distance = lighting.extinction > 0.01 ? Infinity : 0;
      }

      const transmittance = Math.exp(-lighting.extinction * distance);
      const out = index * 3;
      for (let c = 0; c < 3; c++) linear[out + c] = colour[c]! * transmittance + lighting.fogColour[c]! * (1 - transmittance);
    }
  }
  return linear;
}

function tintGround(material: Material, lighting: Lighting): Rgb {
  const albedo = material.albedo;
  if (lighting.groundTint === 'wet') return [albedo[0] * 0.6, albedo[1] * 0.6, albedo[2] * 0.62];
  if (lighting.groundTint === 'snow') {
    // Snow covers bare surface and leaves painted lines half visible through the ploughed tracks.
    const cover = material.reflectivity >= 0.5 ? 0.5 : 0.8;
    return [albedo[0] + (SNOW_ALBEDO[0] - albedo[0]) * cover, albedo[1] + (SNOW_ALBEDO[1] - albedo[1]) * cover, albedo[2] + (SNOW_ALBEDO[2] - albedo[2]) * cover];
  }
  return albedo;
}

function shadeSurface(
  albedo: Rgb,
  emissive: Rgb | undefined,
  px: number,
  py: number,
  pz: number,
  nx: number,
  ny: number,
  nz: number,
  frame: SensorFrame,
  lighting: Lighting,
  lights: VisitScene['lights'],
  out: [number, number, number],
): void {
  const sun = Math.max(0, nx * lighting.sunDirection[0] + ny * lighting.sunDirection[1] + nz * lighting.sunDirection[2]);
  // Sky light reaches up-facing surfaces fully and vertical ones about 70 %.
  const sky = 0.7 + 0.3 * nz;
  let r = lighting.ambient[0] * sky + lighting.sunColour[0] * sun;
  let g = lighting.ambient[1] * sky + lighting.sunColour[1] * sun;
  let b = lighting.ambient[2] * sky + lighting.sunColour[2] * sun;

  if (lighting.lightsOn) {
    // The vehicle's work lamp sits at the camera and points along the optical axis.
    const lx = frame.x - px;
    const ly = frame.y - py;
    const lz = frame.z - pz;
    const distance = Math.sqrt(lx * lx + ly * ly + lz * lz) + 1e-6;
    const facing = Math.max(0, (nx * lx + ny * ly + nz * lz) / distance);
    const onAxis = Math.max(0, -(lx * frame.axes[6]! + ly * frame.axes[7]! + lz * frame.axes[8]!) / distance);
    const lamp = (LAMP_STRENGTH * facing * onAxis ** 6) / (1 + (distance / LAMP_HALF_DISTANCE) ** 2);
    r += lamp;
    g += lamp * 0.97;
    b += lamp * 0.9;

    for (const light of lights) {
      const fx = light.x - px;
      const fy = light.y - py;
      const fz = light.z - pz;
      const lightDistance = Math.sqrt(fx * fx + fy * fy + fz * fz) + 1e-6;
      const cosine = Math.max(0, (nx * fx + ny * fy + nz * fz) / lightDistance);
      const strength = cosine / (1 + (lightDistance / light.halfDistance) ** 2);
      r += light.colour[0] * strength;
      g += light.colour[1] * strength;
      b += light.colour[2] * strength;
    }
  }

  out[0] = albedo[0] * r;
  out[1] = albedo[1] * g;
  out[2] = albedo[2] * b;
  if (emissive !== undefined && lighting.lightsOn) {
    out[0] += emissive[0];
    out[1] += emissive[1];
    out[2] += emissive[2];
  }
}

function blend(linear: Float32Array, index: number, colour: Rgb, alpha: number): void {
  for (let c = 0; c < 3; c++) linear[index * 3 + c] = linear[index * 3 + c]! * (1 - alpha) + colour[c]! * alpha;
}

/** Brightness of rain and snow in front of the lens: lit by daylight, or dimly by the lamp at night. */
function precipitationColour(lighting: Lighting, base: number): Rgb {
  const light = Math.min(1, lighting.ambient[1] * 1.6 + lighting.sunColour[1] * 0.3) + (lighting.lightsOn ? 0.12 : 0);
  return [base * light, base * light, base * light * 1.03];
}

function drawRain(linear: Float32Array, width: number, height: number, lighting: Lighting, rng: Rng): void {
  const colour = precipitationColour(lighting, 1.1);
  const streaks = Math.round((width * height) / 140);
  for (let i = 0; i < streaks; i++) {
    let x = rng.next() * width;
    let y = rng.next() * height;
    const length = 5 + rng.int(8);
    for (let step = 0; step < length; step++, y += 1, x += 0.25) {
      const px = Math.floor(x);
      const py = Math.floor(y);
      if (px >= width || py >= height) break;
      blend(linear, py * width + px, colour, 0.3);
    }
  }
}

function drawSnow(linear: Float32Array, width: number, height: number, lighting: Lighting, rng: Rng): void {
  const colour = precipitationColour(lighting, 1.3);
  const flakes = Math.round((width * height) / 80);
  for (let i = 0; i < flakes; i++) {
    const px = rng.int(width);
    const py = rng.int(height);
    const size = rng.next() < 0.3 ? 2 : 1;
    for (let dy = 0; dy < size && py + dy < height; dy++) {
      for (let dx = 0; dx < size && px + dx < width; dx++) blend(linear, (py + dy) * width + px + dx, colour, 0.85);
    }
  }
}

const GAMMA_STEPS = 4096;
/** 255 · v^(1/2.2) at GAMMA_STEPS + 1 evenly spaced v in [0, 1], because a table lookup is cheaper than Math.pow per channel. */
const GAMMA_TABLE = Float32Array.from({ length: GAMMA_STEPS + 1 }, (_, i) => 255 * (i / GAMMA_STEPS) ** (1 / 2.2));

/** Converts linear colour to 8-bit sRGB-like values (gamma 2.2) with one level of seeded luminance noise per pixel. */
function encodeSrgb(linear: Float32Array, rng: Rng): Uint8Array {
  const rgb = new Uint8Array(linear.length);
  for (let pixel = 0; pixel < linear.length; pixel += 3) {
    const noise = (rng.next() - 0.5) * 2;
    for (let i = pixel; i < pixel + 3; i++) {
      const value = Math.min(1, Math.max(0, linear[i]!));
      const level = Math.round(GAMMA_TABLE[Math.round(value * GAMMA_STEPS)]! + noise);
      // A Uint8Array store wraps around instead of clamping, so the sum is clamped here.
      rgb[i] = Math.min(255, Math.max(0, level));
    }
  }
  return rgb;
}
