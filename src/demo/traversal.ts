/**
 * Repeated drives along the service road. Each visit is on its own day with its own weather and
 * time of day. The vehicle stops in front of every stand and may record frames between stops.
 */
import { Rng } from '../core/rng.js';
import { mixSeed } from './geometry.js';
import { DRIVE_Y, type AirsideLayout } from './layout.js';
import { TIMES_OF_DAY, WEATHERS, type TimeOfDay, type VehiclePose, type Weather } from './types.js';

/** 2026-01-05T00:00:00Z, the day of the first visit. Any fixed epoch works: only differences matter. */
const FIRST_DAY_SECONDS = 1_767_571_200;
const SECONDS_PER_DAY = 86_400;
const DRIVE_SPEED_METRES_PER_SECOND = 5;
const STOP_SECONDS = 4;

/** Start of each time of day's window, in hours after midnight UTC, and its length in hours. */
const TIME_WINDOWS: Record<TimeOfDay, { start: number; hours: number }> = {
  day: { start: 9, hours: 6 },
  dusk: { start: 16.5, hours: 1 },
  night: { start: 21, hours: 5 },
};

export interface VisitPlan {
  index: number;
  sequenceId: string;
  weather: Weather;
  timeOfDay: TimeOfDay;
  /** Azimuth of the sun, counter-clockwise from the site x axis, in radians. */
  sunAzimuth: number;
}

export interface SamplePlan {
  /** Position in the manifest. */
  index: number;
  visitIndex: number;
  sampleId: string;
  /** File name stem inside the visit's folders. */
  frameName: string;
  timestampNs: bigint;
  pose: VehiclePose;
  standIndex: number;
  placeId: string;
}

export interface TraversalPlan {
  visits: VisitPlan[];
  samples: SamplePlan[];
}

export interface TraversalOptions {
  visitCount: number;
  framesPerStand: number;
}

/** Plans every visit (conditions, sun) and every sample (pose, time, faced stand), in manifest order. */
export function planTraversals(layout: AirsideLayout, options: TraversalOptions): TraversalPlan {
  const visits: VisitPlan[] = [];
  const samples: SamplePlan[] = [];
  const conditions = balancedConditions(layout.seed, options.visitCount);

  for (let visitIndex = 0; visitIndex < options.visitCount; visitIndex++) {
    const rng = new Rng(mixSeed(layout.seed, 0x7a5, visitIndex));
    const condition = conditions[visitIndex]!;
    const sequenceId = `visit-${String(visitIndex).padStart(4, '0')}`;
    visits.push({ index: visitIndex, sequenceId, ...condition, sunAzimuth: rng.next() * 2 * Math.PI });

    const window = TIME_WINDOWS[condition.timeOfDay];
    const startSeconds = FIRST_DAY_SECONDS + visitIndex * SECONDS_PER_DAY + Math.floor((window.start + rng.next() * window.hours) * 3600);

    const stops = layout.stands.flatMap((stand) =>
      frameOffsets(options.framesPerStand).map((offset, frame) => ({ stand, x: stand.x + offset * stand.pitch + (frame === 0 ? (rng.next() - 0.5) : 0) })),
    );
    stops.sort((a, b) => a.x - b.x);

    stops.forEach((stop, frameIndex) => {
      const frameName = String(frameIndex).padStart(3, '0');
      const standsPassed = layout.stands.filter((stand) => stand.x < stop.x - 1).length;
      const seconds = (stop.x - layout.driveStartX) / DRIVE_SPEED_METRES_PER_SECOND + STOP_SECONDS * standsPassed;
      samples.push({
        index: samples.length,
        visitIndex,
        sampleId: `${sequenceId}/${frameName}`,
        frameName,
        timestampNs: (BigInt(startSeconds) * 1000n + BigInt(Math.round(seconds * 1000))) * 1_000_000n,
        pose: { x: stop.x, y: DRIVE_Y + (rng.next() - 0.5) * 0.4, z: 0, yaw: (rng.next() - 0.5) * 0.02 },
        standIndex: stop.stand.index,
        placeId: stop.stand.placeId,
      });
    });
  }
  return { visits, samples };
}

/**
 * Offsets along the road from the stand centre, as a share of the stand pitch: the stop first,
 * then in-between frames alternating sides, all within 0.4 pitch so that each still faces its stand.
 */
export function frameOffsets(framesPerStand: number): number[] {
  const offsets = [0];
  for (let frame = 1; frame < framesPerStand; frame++) offsets.push(0.4 * (frame / framesPerStand) * (frame % 2 === 1 ? -1 : 1));
  return offsets;
}

/** Assigns every weather and time-of-day combination once per 12 visits, in a seeded order. */
function balancedConditions(seed: number, visitCount: number): { weather: Weather; timeOfDay: TimeOfDay }[] {
  const combinations = WEATHERS.flatMap((weather) => TIMES_OF_DAY.map((timeOfDay) => ({ weather, timeOfDay })));
  const result: { weather: Weather; timeOfDay: TimeOfDay }[] = [];
  for (let cycle = 0; result.length < visitCount; cycle++) {
    result.push(...new Rng(mixSeed(seed, 0xc0, cycle)).shuffle([...combinations]));
  }
  return result.slice(0, visitCount);
}
