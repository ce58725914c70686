/**
 * Argoverse 2 vector map (`log_map_archive_*.json`) elements in raster pixel coordinates, ready for
 * a renderer to draw over a BEV raster.
 */
import { ApronError } from '../../core/errors.js';
import { cityToRaster, type Sim2 } from './sim2.js';

export type MapElementKind = 'lane-left-boundary' | 'lane-right-boundary' | 'drivable-area' | 'pedestrian-crossing';

export interface MapShape {
  kind: MapElementKind;
  /** Element id from the map file. */
  id: number;
  /** True for polygons, which close back to their first vertex, and false for polylines. */
  closed: boolean;
  /** Interleaved pixel coordinates: column0, row0, column1, row1, ... */
  pixels: Float32Array;
}

interface CityPoint {
  x: number;
  y: number;
}

/**
 * Converts every lane boundary, drivable area and pedestrian crossing to pixel coordinates.
 *
 * A pedestrian crossing is stored as two edges, so its polygon is edge1 followed by edge2 reversed.
 */
export function mapElementsToRaster(text: string, path: string, sim2: Sim2): MapShape[] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new ApronError('invalid-input', `Vector map ${path} is not valid JSON: ${(error as Error).message}.`, {
      path,
      hint: 'Check that the file is complete and was not truncated.',
      cause: error,
    });
  }

  const section = (key: string): Record<string, unknown>[] => {
    const value = typeof root === 'object' && root !== null ? (root as Record<string, unknown>)[key] : undefined;
    if (typeof value !== 'object' || value === null) {
      throw new ApronError('invalid-input', `Vector map ${path} is missing the section "${key}".`, {
        path,
        hint: 'Expected an Argoverse 2 log_map_archive JSON with lane_segments, drivable_areas and pedestrian_crossings.',
      });
    }
    return Object.values(value) as Record<string, unknown>[];
  };

  const toPixels = (value: unknown, key: string, id: number): Float32Array => {
    if (!Array.isArray(value) || value.length < 2) {
      throw new ApronError('invalid-input', `Vector map ${path}: element ${id} has no polyline "${key}" with at least two points.`, {
        path,
        hint: 'Check that the map file is an Argoverse 2 log_map_archive JSON.',
      });
    }
    const pixels = new Float32Array(value.length * 2);
    value.forEach((point: unknown, index) => {
      const { x, y } = (point ?? {}) as Partial<CityPoint>;
      if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
        throw new ApronError('invalid-input', `Vector map ${path}: element ${id} "${key}" point ${index} has no numeric x and y.`, {
          path,
          hint: 'Fix or remove the malformed point in the map file.',
        });
      }
      const [column, row] = cityToRaster(sim2, x, y);
      pixels[index * 2] = column;
      pixels[index * 2 + 1] = row;
    });
    return pixels;
  };

  const shapes: MapShape[] = [];
  for (const lane of section('lane_segments')) {
    const id = Number(lane['id']);
    shapes.push({ kind: 'lane-left-boundary', id, closed: false, pixels: toPixels(lane['left_lane_boundary'], 'left_lane_boundary', id) });
    shapes.push({ kind: 'lane-right-boundary', id, closed: false, pixels: toPixels(lane['right_lane_boundary'], 'right_lane_boundary', id) });
  }

  for (const area of section('drivable_areas')) {
    const id = Number(area['id']);
    shapes.push({ kind: 'drivable-area', id, closed: true, pixels: toPixels(area['area_boundary'], 'area_boundary', id) });
  }

  for (const crossing of section('pedestrian_crossings')) {
    const id = Number(crossing['id']);
    const edge1 = toPixels(crossing['edge1'], 'edge1', id);
    const edge2 = toPixels(crossing['edge2'], 'edge2', id);
    const polygon = new Float32Array(edge1.length + edge2.length);
    polygon.set(edge1, 0);
    for (let i = 0; i < edge2.length / 2; i++) {
      const source = edge2.length / 2 - 1 - i;
      polygon[edge1.length + i * 2] = edge2[source * 2] ?? 0;
      polygon[edge1.length + i * 2 + 1] = edge2[source * 2 + 1] ?? 0;
    }
    shapes.push({ kind: 'pedestrian-crossing', id, closed: true, pixels: polygon });
  }

  return shapes;
}
