/** Vector map elements over a BEV raster: layer styles, SVG point lists, overlay validation and the scale bar. */
import type { MapOverlay } from '../../../src/api/contract.js';

export type MapShapeKind = MapOverlay['shapes'][number]['kind'];

export interface MapLayerStyle {
  label: string;
  /** CSS class of the SVG element; the colours live in styles.css under "Sensor views". */
  className: string;
  /** Drawn as a filled polygon (true) or as a line (false) when the shape is closed. */
  filled: boolean;
}

/** Legend order is the draw order: areas first, so boundaries and crossings stay visible on top. */
export const MAP_LAYER_STYLES: Record<MapShapeKind, MapLayerStyle> = {
  'drivable-area': { label: 'Drivable area', className: 'map-drivable', filled: true },
  'pedestrian-crossing': { label: 'Pedestrian crossing', className: 'map-crossing', filled: true },
  'lane-left-boundary': { label: 'Lane left boundary', className: 'map-lane-left', filled: false },
  'lane-right-boundary': { label: 'Lane right boundary', className: 'map-lane-right', filled: false },
};

export const MAP_DRAW_ORDER = Object.keys(MAP_LAYER_STYLES) as MapShapeKind[];

/** Turn interleaved column, row coordinates into an SVG `points` list ("c0,r0 c1,r1 ..."). */
export function svgPoints(points: readonly number[]): string {
  const pairs: string[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) pairs.push(`${points[i]},${points[i + 1]}`);
  return pairs.join(' ');
}

/** Check that JSON from the server is a MapOverlay, and raise with the first problem found. */
export function parseMapOverlay(value: unknown): MapOverlay {
  const overlay = value as Partial<MapOverlay> | null;
  if (typeof overlay !== 'object' || overlay === null) throw new Error('The map overlay is not a JSON object.');
  if (!isPositive(overlay.width) || !isPositive(overlay.height)) throw new Error('The map overlay has no valid width and height.');
  if (!Array.isArray(overlay.shapes)) throw new Error('The map overlay has no shapes list.');
  overlay.shapes.forEach((shape, index) => {
    if (!(shape.kind in MAP_LAYER_STYLES)) throw new Error(`Map shape ${index} has the unknown kind "${String(shape.kind)}".`);
    if (!Array.isArray(shape.points) || shape.points.some((coordinate) => !Number.isFinite(coordinate))) {
      throw new Error(`Map shape ${index} has invalid points: expected finite numbers.`);
    }
  });
  return overlay as MapOverlay;
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

export interface ScaleBar {
  metres: number;
  /** Length in raster pixels. */
  pixels: number;
}

/**
 * Choose a scale bar of a round length (1, 2 or 5 times a power of ten metres) no longer than
 * `maxFraction` of the raster width. Returns null without a valid metres-per-pixel value.
 */
export function chooseScaleBar(metresPerPixel: number | null, rasterWidth: number, maxFraction = 0.3): ScaleBar | null {
  if (metresPerPixel === null || !(metresPerPixel > 0) || !(rasterWidth > 0)) return null;
  const maxMetres = rasterWidth * maxFraction * metresPerPixel;
  const power = 10 ** Math.floor(Math.log10(maxMetres));
  const metres = [5, 2, 1].map((factor) => factor * power).find((length) => length <= maxMetres) ?? power;
  return { metres, pixels: metres / metresPerPixel };
}

export function formatScaleLength(metres: number): string {
  if (metres >= 1000) return `${metres / 1000} km`;
  if (metres >= 1) return `${metres} m`;
  return `${Math.round(metres * 100)} cm`;
}
