/** The apron surface: grass, road asphalt and concrete by distance from the road, overlaid with painted markings. */
import { ROAD_HALF_WIDTH } from './layout.js';
import { ASPHALT, CONCRETE, GRASS } from './materials.js';
import type { Marking, Material } from './types.js';

const CELL_METRES = 8;

/** Markings bucketed into square cells, so that a lookup tests only the few markings nearby. */
export interface MarkingIndex {
  cells: Map<number, Marking[]>;
}

const indexCache = new WeakMap<Marking[], MarkingIndex>();

export function indexMarkings(markings: Marking[]): MarkingIndex {
  const cached = indexCache.get(markings);
  if (cached !== undefined) return cached;
  const cells = new Map<number, Marking[]>();
  for (const marking of markings) {
    const cos = Math.abs(Math.cos(marking.yaw));
    const sin = Math.abs(Math.sin(marking.yaw));
    const halfX = (cos * marking.length + sin * marking.width) / 2;
    const halfY = (sin * marking.length + cos * marking.width) / 2;
    for (let cx = Math.floor((marking.x - halfX) / CELL_METRES); cx <= Math.floor((marking.x + halfX) / CELL_METRES); cx++) {
      for (let cy = Math.floor((marking.y - halfY) / CELL_METRES); cy <= Math.floor((marking.y + halfY) / CELL_METRES); cy++) {
        const key = cellKey(cx, cy);
        const list = cells.get(key);
        if (list === undefined) cells.set(key, [marking]);
        else list.push(marking);
      }
    }
  }
  const index = { cells };
  indexCache.set(markings, index);
  return index;
}

/** Packs a cell's integer coordinates into one number, which is exact because the site stays far inside ±2^20 cells. */
function cellKey(cx: number, cy: number): number {
  return (cx + 0x100000) * 0x200000 + (cy + 0x100000);
}

/** Returns the marking painted at (x, y), or undefined for bare surface. */
export function markingAt(index: MarkingIndex, x: number, y: number): Marking | undefined {
  const list = index.cells.get(cellKey(Math.floor(x / CELL_METRES), Math.floor(y / CELL_METRES)));
  if (list === undefined) return undefined;
  for (const marking of list) {
    const dx = x - marking.x;
    const dy = y - marking.y;
    const cos = Math.cos(marking.yaw);
    const sin = Math.sin(marking.yaw);
    const along = cos * dx + sin * dy;
    const across = -sin * dx + cos * dy;
    if (Math.abs(along) <= marking.length / 2 && Math.abs(across) <= marking.width / 2) return marking;
  }
  return undefined;
}

/** Returns the surface material at (x, y): a marking where one is painted, else the bare surface. */
export function groundMaterial(index: MarkingIndex, x: number, y: number): Material {
  const marking = markingAt(index, x, y);
  if (marking !== undefined) return marking.material;
  if (y < -ROAD_HALF_WIDTH) return GRASS;
  if (y <= ROAD_HALF_WIDTH) return ASPHALT;
  return CONCRETE;
}
