/**
 * Types of the generated airside scene. Coordinates are in the site frame: metres, x along the
 * service road, y towards the terminal, z up. Angles are radians, counter-clockwise about z.
 */

export type Rgb = readonly [number, number, number];

/** Surface properties that the camera, the LiDAR and the BEV raster all read. */
export interface Material {
  /** Diffuse colour, each channel in [0, 1]. */
  albedo: Rgb;
  /** LiDAR reflectivity in [0, 1] at normal incidence. */
  reflectivity: number;
  /** Colour of a light that is switched on at dusk and night (floodlights, beacons, lit windows). */
  emissive?: Rgb;
}

/** One solid part: a box with a centre, full sizes and a heading (yaw) plus an optional pitch about its own y axis. */
export interface Part {
  x: number;
  y: number;
  z: number;
  length: number;
  width: number;
  height: number;
  yaw: number;
  /** Rotation about the part's own y axis after the yaw, where positive raises the +x end. Default 0. */
  pitch?: number;
  material: Material;
  /** Index into `VisitScene.objects` of the object this part belongs to, or -1 for static structure. */
  objectIndex: number;
}

/** A flat painted quad on the ground (lead-in lines, stop bars, road markings). */
export interface Marking {
  x: number;
  y: number;
  length: number;
  width: number;
  yaw: number;
  material: Material;
}

/** The yaw-only box that contains all parts of an object, as the manifest stores it. */
export interface ObjectBox {
  x: number;
  y: number;
  z: number;
  length: number;
  width: number;
  height: number;
  yaw: number;
}

export interface SceneObject {
  /** Stable across visits: the same physical object keeps its id. */
  trackId: string;
  class: string;
  box: ObjectBox;
}

/** A point light that lights the ground and objects around it (stand floodlights). */
export interface PointLight {
  x: number;
  y: number;
  z: number;
  colour: Rgb;
  /** Distance in metres at which the light falls to half its strength. */
  halfDistance: number;
}

export const WEATHERS = ['clear', 'rain', 'fog', 'snow'] as const;
export type Weather = (typeof WEATHERS)[number];
export const TIMES_OF_DAY = ['day', 'dusk', 'night'] as const;
export type TimeOfDay = (typeof TIMES_OF_DAY)[number];

export interface Conditions {
  weather: Weather;
  timeOfDay: TimeOfDay;
}

/** Everything present on one visit: static structure plus the aircraft and equipment parked that day. */
export interface VisitScene {
  parts: Part[];
  markings: Marking[];
  objects: SceneObject[];
  lights: PointLight[];
}

/** Vehicle pose in the site frame. The vehicle drives on flat ground, so only x, y and yaw vary. */
export interface VehiclePose {
  x: number;
  y: number;
  z: number;
  yaw: number;
}
