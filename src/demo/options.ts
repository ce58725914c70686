/** Options of `generateDemo`: size presets, their sample counts and the checks on every option. */
import { availableParallelism } from 'node:os';
import { ApronError } from '../core/errors.js';
import { GSE_CLASSES, type GseClass } from './gse.js';
import { DEFAULT_LIDAR, type LidarSpec } from './sensor-rig.js';

export const DEMO_SIZES = ['tiny', 'small', 'medium', 'large'] as const;
export type DemoSize = (typeof DEMO_SIZES)[number];

export interface SizePreset {
  standCount: number;
  visitCount: number;
  framesPerStand: number;
}

/** Samples = stands x visits x frames per stand. */
export const SIZE_PRESETS: Record<DemoSize, SizePreset> = {
  tiny: { standCount: 8, visitCount: 6, framesPerStand: 1 },
  small: { standCount: 10, visitCount: 100, framesPerStand: 2 },
  medium: { standCount: 12, visitCount: 280, framesPerStand: 3 },
  large: { standCount: 12, visitCount: 1000, framesPerStand: 4 },
};

export interface DemoOptions {
  /** Preset for the counts below. Default `small`. */
  size?: DemoSize | string;
  /** Seed of everything random (layout, visits, noise), an integer from 0 to 2^32 - 1. Default 1. */
  seed?: number;
  /** Folder to create. It must not exist, be empty, or hold an earlier demo, which is replaced. */
  outDir: string;
  /** Overrides of the preset's counts. */
  standCount?: number;
  visitCount?: number;
  framesPerStand?: number;
  /** Equipment classes to place. Default: all of `GSE_CLASSES`. */
  gseClasses?: readonly string[];
  /**
   * Worker threads that render samples, where 1 renders on the calling thread. Default: 2 when the
   * machine has 2 or more cores and the run has 200 samples or more, else 1.
   */
  workers?: number;
  /** LiDAR beam and azimuth counts. Default: 32 x 720. */
  lidarBeams?: number;
  lidarAzimuthSteps?: number;
  /** Called after each written sample with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The options after defaults and checks, in a form that can be sent to a worker thread. */
export interface ResolvedDemoOptions {
  size: DemoSize;
  seed: number;
  standCount: number;
  visitCount: number;
  framesPerStand: number;
  gseClasses: GseClass[];
  workers: number;
  lidar: LidarSpec;
}

/** Stand numbers are painted with two digits, so the row holds at most 99 stands. */
const MAX_STANDS = 99;
/** Sequence ids carry four digits. */
const MAX_VISITS = 9999;
const MAX_FRAMES_PER_STAND = 8;
const MAX_WORKERS = 16;

export function resolveDemoOptions(options: DemoOptions): ResolvedDemoOptions {
  const size = options.size ?? 'small';
  if (!(DEMO_SIZES as readonly string[]).includes(size)) {
    throw new ApronError('invalid-input', `Unknown demo size "${size}"; expected one of ${DEMO_SIZES.join(', ')}.`, {
      hint: 'Pick tiny (about 50 samples), small (2,000), medium (about 10,000) or large (48,000).',
    });
  }
  const preset = SIZE_PRESETS[size as DemoSize];
  const seed = requireInteger('seed', options.seed ?? 1, 0, 2 ** 32 - 1);
  const standCount = requireInteger('standCount', options.standCount ?? preset.standCount, 1, MAX_STANDS);
  const visitCount = requireInteger('visitCount', options.visitCount ?? preset.visitCount, 1, MAX_VISITS);
  const framesPerStand = requireInteger('framesPerStand', options.framesPerStand ?? preset.framesPerStand, 1, MAX_FRAMES_PER_STAND);
  const sampleCount = standCount * visitCount * framesPerStand;
  const defaultWorkers = sampleCount >= 200 ? Math.min(2, availableParallelism()) : 1;
  const workers = requireInteger('workers', options.workers ?? defaultWorkers, 1, MAX_WORKERS);

  return {
    size: size as DemoSize,
    seed,
    standCount,
    visitCount,
    framesPerStand,
    gseClasses: resolveGseClasses(options.gseClasses),
    workers,
    lidar: {
      ...DEFAULT_LIDAR,
      beams: requireInteger('lidarBeams', options.lidarBeams ?? DEFAULT_LIDAR.beams, 1, 256),
      azimuthSteps: requireInteger('lidarAzimuthSteps', options.lidarAzimuthSteps ?? DEFAULT_LIDAR.azimuthSteps, 8, 8192),
    },
  };
}

export function sampleCountOf(options: Pick<ResolvedDemoOptions, 'standCount' | 'visitCount' | 'framesPerStand'>): number {
  return options.standCount * options.visitCount * options.framesPerStand;
}

function requireInteger(name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ApronError('invalid-input', `Demo option ${name} must be a whole number, got ${String(value)}.`, {
      hint: `Pass an integer from ${min} to ${max}.`,
    });
  }
  if (value < min || value > max) {
    throw new ApronError('invalid-input', `Demo option ${name} must be from ${min} to ${max}, got ${value}.`, {
      hint: value < 0 ? 'Counts and seeds cannot be negative.' : `Pass an integer from ${min} to ${max}.`,
    });
  }
  return value;
}

function resolveGseClasses(classes: readonly string[] | undefined): GseClass[] {
  if (classes === undefined) return [...GSE_CLASSES];
  const unknown = classes.filter((name) => !(GSE_CLASSES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new ApronError('invalid-input', `Unknown equipment class${unknown.length > 1 ? 'es' : ''} ${unknown.map((name) => `"${name}"`).join(', ')}.`, {
      hint: `Known classes: ${GSE_CLASSES.join(', ')}.`,
    });
  }
  // Keep the catalogue's order, so that the same set of classes gives the same scene in any order.
  return GSE_CLASSES.filter((name) => classes.includes(name));
}
