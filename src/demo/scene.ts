/**
 * The scene of one visit: the fixed layout plus the aircraft parked that day and the equipment
 * around them. Which stands are occupied, which aircraft parks on each, which units are out and
 * their exact positions all follow from the seed and the visit index alone.
 */
import { Rng } from '../core/rng.js';
import { AIRCRAFT_SHAPES, aircraftParts, type AircraftType } from './aircraft.js';
import { mixSeed } from './geometry.js';
import { gseParts, type GseClass, type PartTemplate } from './gse.js';
import { APRON_EDGE_Y, aircraftPosition, type AirsideLayout, type GseUnit, type Stand } from './layout.js';
import type { ObjectBox, Part, SceneObject, VisitScene } from './types.js';

/** Share of visits on which a stand has an aircraft. */
const OCCUPANCY = 0.65;

/** Chance that a unit is out on a visit, with an aircraft on the stand and without one. */
const PRESENCE: Record<GseClass, { withAircraft: number; idle: number }> = {
  'baggage-tug': { withAircraft: 0.9, idle: 0.7 },
  'belt-loader': { withAircraft: 0.85, idle: 0.7 },
  'baggage-dolly': { withAircraft: 0.8, idle: 0.6 },
  cone: { withAircraft: 0.95, idle: 0.5 },
  'fuel-truck': { withAircraft: 0.6, idle: 0.1 },
  'catering-truck': { withAircraft: 0.6, idle: 0.1 },
};

interface Placement {
  x: number;
  y: number;
  yaw: number;
}

/** Builds the scene of visit `visitIndex`: the static layout plus that day's aircraft and equipment. */
export function buildVisitScene(layout: AirsideLayout, visitIndex: number): VisitScene {
  const rng = new Rng(mixSeed(layout.seed, 0x5ce, visitIndex));
  const parts: Part[] = [...layout.staticParts];
  const objects: SceneObject[] = [];
  const parked = parkAircraft(layout, rng);

  const addObject = (trackId: string, objectClass: string, templates: PartTemplate[], placement: Placement): void => {
    const objectIndex = objects.length;
    objects.push({ trackId, class: objectClass, box: boundingBox(templates, placement) });
    for (const template of templates) parts.push(placePart(template, placement, objectIndex));
  };

  for (const stand of layout.stands) {
    const aircraft = parked.get(stand.index);
    if (aircraft !== undefined) {
      addObject(aircraft.trackId, aircraft.type, aircraftParts(aircraft.type, aircraft.tail), aircraftPosition(stand, aircraft.type));
    }
    for (const unit of layout.gse.filter((candidate) => candidate.standIndex === stand.index)) {
      const presence = PRESENCE[unit.gseClass];
      // Draw every unit's numbers in the same order whether or not it is out, so one unit does not shift another.
      const out = rng.next() < (aircraft === undefined ? presence.idle : presence.withAircraft);
      const jitter = unit.gseClass === 'cone' ? 0.3 : 0.8;
      const dx = (rng.next() - 0.5) * 2 * jitter;
      const dy = (rng.next() - 0.5) * 2 * jitter;
      const dyaw = (rng.next() - 0.5) * 0.2;
      if (!out) continue;
      const base = aircraft === undefined ? idlePlacement(stand, unit) : servicePlacement(stand, aircraft.type, unit);
      addObject(unit.trackId, unit.gseClass, gseParts(unit.gseClass, unit.livery), { x: base.x + dx, y: base.y + dy, yaw: base.yaw + dyaw });
    }
  }
  return { parts, markings: layout.markings, objects, lights: layout.lights };
}

/** Picks the aircraft on each occupied stand, each aircraft on at most one stand per visit. */
function parkAircraft(layout: AirsideLayout, rng: Rng): Map<number, AirsideLayout['fleet'][number]> {
  const parked = new Map<number, AirsideLayout['fleet'][number]>();
  const used = new Set<string>();
  for (const stand of layout.stands) {
    const occupied = rng.next() < OCCUPANCY;
    const candidates = layout.fleet.filter((aircraft) => aircraft.type === stand.aircraftType && !used.has(aircraft.trackId));
    const pick = candidates[rng.int(Math.max(1, candidates.length))];
    if (!occupied || pick === undefined) continue;
    used.add(pick.trackId);
    parked.set(stand.index, pick);
  }
  return parked;
}

/**
 * Places a unit whose stand is empty: cones and small units in rows behind the equipment restraint
 * line, trucks farther in, one on each side of the lead-in line.
 */
function idlePlacement(stand: Stand, unit: GseUnit): Placement {
  switch (unit.gseClass) {
    case 'cone':
      return { x: stand.x - stand.pitch * 0.3 + unit.slot * 0.6, y: APRON_EDGE_Y + 4, yaw: 0 };
    case 'fuel-truck':
      return { x: stand.x - stand.pitch * 0.25, y: APRON_EDGE_Y + 17, yaw: 0 };
    case 'catering-truck':
      return { x: stand.x + stand.pitch * 0.25, y: APRON_EDGE_Y + 17, yaw: 0 };
    default: {
      // Tug, belt loader, then the dollies, 4 m apart and staggered across two rows.
      let column = 2 + unit.slot;
      if (unit.gseClass === 'baggage-tug') column = 0;
      if (unit.gseClass === 'belt-loader') column = 1;
      return { x: stand.x - stand.pitch * 0.35 + column * 4, y: APRON_EDGE_Y + 9 + (column % 2) * 4, yaw: 0 };
    }
  }
}

/** Places a unit beside the aircraft it serves: positions are given in the aircraft's frame and turned into the site frame. */
function servicePlacement(stand: Stand, type: AircraftType, unit: GseUnit): Placement {
  const shape = AIRCRAFT_SHAPES[type];
  const halfLength = shape.length / 2;
  const halfBody = shape.fuselageDiameter / 2;
  let local: Placement;
  switch (unit.gseClass) {
    case 'belt-loader':
      // At the forward hold door on the right side, belt rising towards the fuselage.
      local = { x: halfLength * 0.45, y: -(halfBody + 3.6), yaw: Math.PI / 2 };
      break;
    case 'baggage-tug':
      // The baggage train waits between the wing's leading edge and the nose, tug in front.
      local = { x: shape.length * 0.08 + 2 + 3 * 3.8 + 0.5, y: -(halfBody + 8), yaw: 0 };
      break;
    case 'baggage-dolly':
      local = { x: shape.length * 0.08 + 2 + unit.slot * 3.8, y: -(halfBody + 8), yaw: 0 };
      break;
    case 'fuel-truck':
      // Behind the right wing's trailing edge, clear of the engine.
      local = { x: -shape.length * 0.09 - 6, y: -(shape.span * 0.3), yaw: 0 };
      break;
    case 'catering-truck':
      // At the rear left door, facing the fuselage.
      local = { x: -halfLength * 0.6, y: halfBody + 6.5, yaw: -Math.PI / 2 };
      break;
    case 'cone': {
      const spots: Placement[] = [
        { x: halfLength + 1.5, y: 0, yaw: 0 },
        { x: -halfLength * 0.1, y: shape.span / 2 + 1, yaw: 0 },
        { x: -halfLength * 0.1, y: -(shape.span / 2 + 1), yaw: 0 },
        { x: -halfLength - 1.5, y: 0, yaw: 0 },
      ];
      local = spots[unit.slot % spots.length]!;
      break;
    }
  }
  const origin = aircraftPosition(stand, type);
  const cos = Math.cos(origin.yaw);
  const sin = Math.sin(origin.yaw);
  return { x: origin.x + cos * local.x - sin * local.y, y: origin.y + sin * local.x + cos * local.y, yaw: origin.yaw + local.yaw };
}

function placePart(template: PartTemplate, placement: Placement, objectIndex: number): Part {
  const cos = Math.cos(placement.yaw);
  const sin = Math.sin(placement.yaw);
  const part: Part = {
    x: placement.x + cos * template.x - sin * template.y,
    y: placement.y + sin * template.x + cos * template.y,
    z: template.z,
    length: template.length,
    width: template.width,
    height: template.height,
    yaw: placement.yaw,
    material: template.material,
    objectIndex,
  };
  if (template.pitch !== undefined) part.pitch = template.pitch;
  return part;
}

/** Computes the yaw-aligned box that contains every part of an object, in the site frame. */
export function boundingBox(templates: PartTemplate[], placement: Placement): ObjectBox {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  let minZ = Infinity;
  let maxZ = -Infinity;
  for (const template of templates) {
    const pitch = template.pitch ?? 0;
    const halfLength = Math.abs(Math.cos(pitch)) * (template.length / 2) + Math.abs(Math.sin(pitch)) * (template.height / 2);
    const halfHeight = Math.abs(Math.sin(pitch)) * (template.length / 2) + Math.abs(Math.cos(pitch)) * (template.height / 2);
    minX = Math.min(minX, template.x - halfLength);
    maxX = Math.max(maxX, template.x + halfLength);
    minY = Math.min(minY, template.y - template.width / 2);
    maxY = Math.max(maxY, template.y + template.width / 2);
    minZ = Math.min(minZ, template.z - halfHeight);
    maxZ = Math.max(maxZ, template.z + halfHeight);
  }

  const centreX = (minX + maxX) / 2;
  const centreY = (minY + maxY) / 2;
  const cos = Math.cos(placement.yaw);
  const sin = Math.sin(placement.yaw);
  return {
    x: placement.x + cos * centreX - sin * centreY,
    y: placement.y + sin * centreX + cos * centreY,
    z: (minZ + maxZ) / 2,
    length: maxX - minX,
    width: maxY - minY,
    height: maxZ - minZ,
    yaw: placement.yaw,
  };
}
