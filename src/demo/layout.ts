/**
 * The fixed airside layout generated from a seed: a row of numbered stands with their markings,
 * the terminal facade behind them, floodlight masts, the service road in front, the aircraft fleet
 * that parks there and the equipment each stand owns. Nothing here changes between visits.
 */
import { Rng } from '../core/rng.js';
import { AIRCRAFT_SHAPES, AIRCRAFT_TYPES, type AircraftType } from './aircraft.js';
import { GSE_LIVERIES, type GseClass } from './gse.js';
import { mixSeed } from './geometry.js';
import {
  FACADE,
  FLOODLIGHT,
  RED_PAINT,
  SIGN_BOARD,
  SIGN_DIGIT,
  STEEL,
  WHITE_PAINT,
  WINDOW,
  YELLOW_PAINT,
} from './materials.js';
import { sevenSegmentRects } from './seven-segment.js';
import type { Marking, Part, PointLight, Rgb } from './types.js';

/** Lines along the road, as site-frame y in metres. */
export const ROAD_HALF_WIDTH = 5;
/** Centre of the lane the vehicle drives in: the right-hand lane when heading along +x. */
export const DRIVE_Y = -2.5;
export const APRON_EDGE_Y = 6;
export const STOP_BAR_Y = 70;
export const FACADE_Y = 78;
const FACADE_DEPTH = 15;
const FACADE_HEIGHT = 14;
const MAST_Y = 74;
const MAST_HEIGHT = 24;

/** Stand width along the road for each aircraft class, with about 7 m clearance to the wing tips. */
const STAND_PITCH: Record<AircraftType, number> = {
  'aircraft-regional': 36,
  'aircraft-narrow-body': 44,
  'aircraft-wide-body': 64,
};

export interface Stand {
  index: number;
  /** Number painted on the ground and shown on the facade sign, from 1. */
  number: number;
  placeId: string;
  aircraftType: AircraftType;
  /** Centre line of the stand along the road. */
  x: number;
  pitch: number;
}

export interface FleetAircraft {
  trackId: string;
  type: AircraftType;
  tail: Rgb;
}

export interface GseUnit {
  trackId: string;
  gseClass: GseClass;
  livery: Rgb;
  standIndex: number;
  /** Position among the stand's units of the same class (the second dolly, the third cone). */
  slot: number;
}

export interface AirsideLayout {
  seed: number;
  stands: Stand[];
  staticParts: Part[];
  markings: Marking[];
  lights: PointLight[];
  fleet: FleetAircraft[];
  gse: GseUnit[];
  /** Site x where the drive starts and ends, 30 m beyond the outer stands. */
  driveStartX: number;
  driveEndX: number;
}

export interface LayoutOptions {
  seed: number;
  standCount: number;
  gseClasses: readonly GseClass[];
}

const TAIL_COLOURS: Rgb[] = [
  [0.1, 0.2, 0.55],
  [0.7, 0.1, 0.12],
  [0.1, 0.45, 0.3],
  [0.95, 0.6, 0.1],
  [0.35, 0.15, 0.45],
  [0.15, 0.55, 0.75],
];

/** How many units of each class a stand owns. */
const UNITS_PER_STAND: Record<GseClass, number> = {
  'baggage-tug': 1,
  'belt-loader': 1,
  'baggage-dolly': 3,
  cone: 4,
  'fuel-truck': 1,
  'catering-truck': 1,
};

/** Builds the fixed layout for a seed, a stand count and the equipment classes to place. */
export function buildLayout(options: LayoutOptions): AirsideLayout {
  const rng = new Rng(mixSeed(options.seed, 0x1a7));
  const stands = placeStands(options.standCount, rng);
  const first = stands[0]!;
  const last = stands[stands.length - 1]!;
  const xMin = first.x - first.pitch / 2;
  const xMax = last.x + last.pitch / 2;

  const staticParts: Part[] = [];
  const markings: Marking[] = [];
  const lights: PointLight[] = [];
  addRoad(markings, xMin - 60, xMax + 60);
  addTerminal(staticParts, stands, xMin, xMax);
  for (const stand of stands) addStandMarkings(markings, stand);
  // One mast between each pair of neighbouring stands and one at each end of the row.
  const mastXs = [xMin, ...stands.map((stand) => stand.x + stand.pitch / 2)];
  for (const x of mastXs) addMast(staticParts, lights, x);

  return {
    seed: options.seed,
    stands,
    staticParts,
    markings,
    lights,
    fleet: buildFleet(stands, rng),
    gse: buildGse(stands, options.gseClasses, rng),
    driveStartX: xMin - 30,
    driveEndX: xMax + 30,
  };
}

function placeStands(count: number, rng: Rng): Stand[] {
  // Half the stands take narrow-bodies, a quarter each regional jets and wide-bodies.
  const types: AircraftType[] = [];
  for (let i = 0; i < count; i++) {
    const draw = rng.next();
    let type: AircraftType = 'aircraft-wide-body';
    if (draw < 0.5) type = 'aircraft-narrow-body';
    else if (draw < 0.75) type = 'aircraft-regional';
    types.push(type);
  }
  // Every class appears once the row has room for it, so that all three shapes are in the data.
  AIRCRAFT_TYPES.forEach((type, index) => {
    if (count >= AIRCRAFT_TYPES.length && !types.includes(type)) types[(index * 3 + 1) % count] = type;
  });

  const stands: Stand[] = [];
  let x = 0;
  types.forEach((aircraftType, index) => {
    const pitch = STAND_PITCH[aircraftType];
    const number = index + 1;
    stands.push({ index, number, placeId: `stand-${String(number).padStart(2, '0')}`, aircraftType, x: x + pitch / 2, pitch });
    x += pitch;
  });
  return stands;
}

function addRoad(markings: Marking[], xStart: number, xEnd: number): void {
  const length = xEnd - xStart;
  const centreX = (xStart + xEnd) / 2;
  for (const y of [-ROAD_HALF_WIDTH + 0.2, ROAD_HALF_WIDTH - 0.2]) {
    markings.push({ x: centreX, y, length, width: 0.2, yaw: 0, material: WHITE_PAINT });
  }
  for (let x = xStart; x < xEnd; x += 9) markings.push({ x: x + 1.5, y: 0, length: 3, width: 0.15, yaw: 0, material: WHITE_PAINT });
  // The apron edge: a double yellow line that vehicles on the road must not cross.
  for (const y of [APRON_EDGE_Y - 0.2, APRON_EDGE_Y + 0.2]) {
    markings.push({ x: centreX, y, length, width: 0.15, yaw: 0, material: YELLOW_PAINT });
  }
}

function addStandMarkings(markings: Marking[], stand: Stand): void {
  // NOTE: real lead-in lines are about 0.15 m wide. These are 0.3 m, so that they show at 0.5 m per BEV pixel.
  const leadInStart = APRON_EDGE_Y + 8;
  markings.push({ x: stand.x, y: (leadInStart + STOP_BAR_Y) / 2, length: STOP_BAR_Y - leadInStart, width: 0.3, yaw: Math.PI / 2, material: YELLOW_PAINT });
  markings.push({ x: stand.x, y: STOP_BAR_Y + 0.3, length: 5, width: 0.6, yaw: 0, material: YELLOW_PAINT });
  // Stand boundary on the left edge, and an equipment restraint line across the stand's front.
  markings.push({ x: stand.x - stand.pitch / 2, y: 40, length: 66, width: 0.2, yaw: Math.PI / 2, material: RED_PAINT });
  markings.push({ x: stand.x, y: APRON_EDGE_Y + 6, length: stand.pitch * 0.8, width: 0.2, yaw: 0, material: RED_PAINT });

  // The stand number, 3 m tall, readable from the road.
  for (const rect of sevenSegmentRects(String(stand.number).padStart(2, '0'), 1.5)) {
    markings.push({ x: stand.x + 4 + rect.u, y: APRON_EDGE_Y + 9.5 + rect.v, length: rect.width, width: rect.height, yaw: 0, material: WHITE_PAINT });
  }
}

function addTerminal(parts: Part[], stands: Stand[], xMin: number, xMax: number): void {
  const staticPart = (part: Omit<Part, 'objectIndex' | 'yaw'>): void => {
    parts.push({ ...part, yaw: 0, objectIndex: -1 });
  };
  const length = xMax - xMin + 80;
  staticPart({ x: (xMin + xMax) / 2, y: FACADE_Y + FACADE_DEPTH / 2, z: FACADE_HEIGHT / 2, length, width: FACADE_DEPTH, height: FACADE_HEIGHT, material: FACADE });

  for (const stand of stands) {
    // Two window bands per stand, broken by a pier between stands.
    for (const z of [4.5, 9]) {
      staticPart({ x: stand.x, y: FACADE_Y - 0.1, z, length: stand.pitch - 6, width: 0.2, height: 2.2, material: WINDOW });
    }
    staticPart({ x: stand.x, y: FACADE_Y - 0.2, z: 12.3, length: 4.2, width: 0.2, height: 2.4, material: SIGN_BOARD });
    for (const rect of sevenSegmentRects(String(stand.number).padStart(2, '0'), 0.9)) {
      staticPart({ x: stand.x + rect.u, y: FACADE_Y - 0.35, z: 12.3 + rect.v, length: rect.width, width: 0.1, height: rect.height, material: SIGN_DIGIT });
    }
  }
}

function addMast(parts: Part[], lights: PointLight[], x: number): void {
  parts.push({ x, y: MAST_Y, z: MAST_HEIGHT / 2, length: 0.6, width: 0.6, height: MAST_HEIGHT, yaw: 0, material: STEEL, objectIndex: -1 });
  parts.push({ x, y: MAST_Y - 0.6, z: MAST_HEIGHT + 0.3, length: 2.4, width: 1.0, height: 0.6, yaw: 0, material: FLOODLIGHT, objectIndex: -1 });
  lights.push({ x, y: MAST_Y - 1, z: MAST_HEIGHT, colour: [0.3, 0.28, 0.24], halfDistance: 22 });
}

/** Aircraft that use the stands: two more of each class than the row has stands for, so that stands change hands. */
function buildFleet(stands: Stand[], rng: Rng): FleetAircraft[] {
  const fleet: FleetAircraft[] = [];
  const prefixes: Record<AircraftType, string> = { 'aircraft-narrow-body': 'nb', 'aircraft-wide-body': 'wb', 'aircraft-regional': 'rj' };
  for (const type of AIRCRAFT_TYPES) {
    const count = stands.filter((stand) => stand.aircraftType === type).length + 2;
    for (let i = 1; i <= count; i++) {
      fleet.push({ trackId: `aircraft-${prefixes[type]}-${String(i).padStart(2, '0')}`, type, tail: TAIL_COLOURS[rng.int(TAIL_COLOURS.length)]! });
    }
  }
  return fleet;
}

function buildGse(stands: Stand[], classes: readonly GseClass[], rng: Rng): GseUnit[] {
  const units: GseUnit[] = [];
  for (const stand of stands) {
    for (const gseClass of classes) {
      for (let slot = 0; slot < UNITS_PER_STAND[gseClass]; slot++) {
        const liveries = GSE_LIVERIES[gseClass];
        units.push({
          trackId: `${gseClass}-s${String(stand.number).padStart(2, '0')}-${slot + 1}`,
          gseClass,
          livery: liveries[rng.int(liveries.length)]!,
          standIndex: stand.index,
          slot,
        });
      }
    }
  }
  return units;
}

/** Centre of a parked aircraft: nose at the stop bar, heading towards the terminal. */
export function aircraftPosition(stand: Stand, type: AircraftType): { x: number; y: number; yaw: number } {
  return { x: stand.x, y: STOP_BAR_Y - 1 - AIRCRAFT_SHAPES[type].length / 2, yaw: Math.PI / 2 };
}
