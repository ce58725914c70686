/**
 * An ego-centred bird's-eye-view raster of the scene, drawn from the same boxes and markings as the
 * camera and the LiDAR. The vehicle is at the centre of the image, its forward (+x) points up and
 * its left (+y) points to the left of the image.
 *
 * Red is the top height of whatever covers the cell, 0 to 25.5 m at 0.1 m per level. Green is
 * occupancy: 255 for aircraft and equipment, 128 for static structure, 0 for open ground. Blue is
 * the ground's LiDAR reflectivity, so painted markings are bright and asphalt is dark.
 */
import { footprintHalfSizes } from './geometry.js';
import { ROAD_HALF_WIDTH } from './layout.js';
import { ASPHALT, CONCRETE, GRASS } from './materials.js';
import type { VehiclePose, VisitScene } from './types.js';

export interface BevSpec {
  size: number;
  metresPerPixel: number;
}

/**
 * 256 x 256 pixels at 0.5 m: 128 m square around the vehicle. A 64 m square would end before the
 * tails of most parked aircraft, which stand 30 to 45 m from the road.
 */
export const DEFAULT_BEV: BevSpec = { size: 256, metresPerPixel: 0.5 };

const METRES_PER_HEIGHT_LEVEL = 0.1;

interface FootprintRect {
  x: number;
  y: number;
  yaw: number;
  halfLength: number;
  halfWidth: number;
}

function groundLevel(reflectivity: number): number {
  return Math.round(255 * Math.min(1, reflectivity * 1.4));
}

export interface BevImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Rasterises the scene around the vehicle at `pose` into an RGB raster (channels described above). */
export function rasteriseBev(scene: VisitScene, pose: VehiclePose, spec: BevSpec = DEFAULT_BEV): BevImage {
  const { size, metresPerPixel } = spec;
  const rgb = new Uint8Array(size * size * 3);
  const cos = Math.cos(pose.yaw);
  const sin = Math.sin(pose.yaw);
  const half = (size * metresPerPixel) / 2;

  // Pixel centre (column, row) in the ego frame: forward is up, left is left.
  const egoX = (row: number): number => half - (row + 0.5) * metresPerPixel;
  const egoY = (column: number): number => half - (column + 0.5) * metresPerPixel;

  // Bare ground first, by the site y of each pixel centre. Markings are drawn over it below.
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const siteY = pose.y + sin * egoX(row) + cos * egoY(column);
      let material = CONCRETE;
      if (siteY < -ROAD_HALF_WIDTH) material = GRASS;
      else if (siteY <= ROAD_HALF_WIDTH) material = ASPHALT;
      rgb[(row * size + column) * 3 + 2] = groundLevel(material.reflectivity);
    }
  }

  const reach = half * Math.SQRT2;
  const fill = (rect: FootprintRect, paint: (index: number) => void): void => {
    const dx = rect.x - pose.x;
    const dy = rect.y - pose.y;
    if (Math.hypot(dx, dy) - Math.hypot(rect.halfLength, rect.halfWidth) > reach) return;
    // Rectangle centre and heading in the ego frame.
    const cx = cos * dx + sin * dy;
    const cy = -sin * dx + cos * dy;
    const yaw = rect.yaw - pose.yaw;
    const rectCos = Math.cos(yaw);
    const rectSin = Math.sin(yaw);
    const extentX = Math.abs(rectCos) * rect.halfLength + Math.abs(rectSin) * rect.halfWidth + metresPerPixel;
    const extentY = Math.abs(rectSin) * rect.halfLength + Math.abs(rectCos) * rect.halfWidth + metresPerPixel;
    const rowMin = Math.max(0, Math.floor((half - (cx + extentX)) / metresPerPixel));
    const rowMax = Math.min(size - 1, Math.floor((half - (cx - extentX)) / metresPerPixel));
    const columnMin = Math.max(0, Math.floor((half - (cy + extentY)) / metresPerPixel));
    const columnMax = Math.min(size - 1, Math.floor((half - (cy - extentY)) / metresPerPixel));
    // Half a pixel of margin marks every cell the rectangle touches, so that a 0.4 m cone still shows.
    const halfLength = rect.halfLength + metresPerPixel / 2;
    const halfWidth = rect.halfWidth + metresPerPixel / 2;

    for (let row = rowMin; row <= rowMax; row++) {
      const px = egoX(row) - cx;
      for (let column = columnMin; column <= columnMax; column++) {
        const py = egoY(column) - cy;
        const along = rectCos * px + rectSin * py;
        const across = -rectSin * px + rectCos * py;
        if (Math.abs(along) > halfLength || Math.abs(across) > halfWidth) continue;
        paint((row * size + column) * 3);
      }
    }
  };

  for (const marking of scene.markings) {
    const level = groundLevel(marking.material.reflectivity);
    fill({ x: marking.x, y: marking.y, yaw: marking.yaw, halfLength: marking.length / 2, halfWidth: marking.width / 2 }, (index) => {
      rgb[index + 2] = level;
    });
  }

  for (const part of scene.parts) {
    const footprint = footprintHalfSizes(part);
    const heightLevel = Math.min(255, Math.round(footprint.top / METRES_PER_HEIGHT_LEVEL));
    const occupancy = part.objectIndex >= 0 ? 255 : 128;
    fill({ x: part.x, y: part.y, yaw: part.yaw, halfLength: footprint.halfLength, halfWidth: footprint.halfWidth }, (index) => {
      if (heightLevel > rgb[index]!) rgb[index] = heightLevel;
      if (occupancy > rgb[index + 1]!) rgb[index + 1] = occupancy;
    });
  }
  return { width: size, height: size, rgb };
}
