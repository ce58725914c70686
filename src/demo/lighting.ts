/**
 * Light and atmosphere for each weather and time of day, shared by the camera renderer and, for
 * attenuation, the LiDAR. Values are linear radiance factors picked by eye, not measured.
 */
import type { Conditions, Rgb } from './types.js';

export interface RenderConditions extends Conditions {
  /** Sun azimuth, counter-clockwise from the site x axis, in radians. */
  sunAzimuth: number;
}

export interface Lighting {
  /** Unit vector towards the sun in the site frame. */
  sunDirection: [number, number, number];
  sunColour: Rgb;
  ambient: Rgb;
  /** Floodlights, lit windows, beacons and the vehicle's lamp are on. */
  lightsOn: boolean;
  /** Fog extinction of visible light per metre. Visibility is about 3 / value. */
  extinction: number;
  fogColour: Rgb;
  skyHorizon: Rgb;
  skyZenith: Rgb;
  /** State of bare ground: wet asphalt is darker, and snow covers it. */
  groundTint: 'dry' | 'wet' | 'snow';
}

const EXTINCTION = { clear: 0.002, rain: 0.015, snow: 0.025, fog: 0.06 } as const;

export function lightingFor(conditions: RenderConditions): Lighting {
  const overcast = conditions.weather !== 'clear';
  // Sun elevation in radians: high by day, low at dusk, below the horizon at night.
  const elevations: Record<RenderConditions['timeOfDay'], number> = { day: (50 * Math.PI) / 180, dusk: (6 * Math.PI) / 180, night: -0.3 };
  const elevation = elevations[conditions.timeOfDay];
  const sunDirection: [number, number, number] = [
    Math.cos(elevation) * Math.cos(conditions.sunAzimuth),
    Math.cos(elevation) * Math.sin(conditions.sunAzimuth),
    Math.sin(elevation),
  ];
  const groundTints: Record<RenderConditions['weather'], Lighting['groundTint']> = { clear: 'dry', fog: 'dry', rain: 'wet', snow: 'snow' };
  const groundTint = groundTints[conditions.weather];
  const extinction = EXTINCTION[conditions.weather];

  switch (conditions.timeOfDay) {
    case 'day':
      return {
        sunDirection,
        sunColour: scale([1, 0.97, 0.9], overcast ? 0.25 : 1.0),
        ambient: overcast ? [0.55, 0.56, 0.58] : [0.33, 0.36, 0.42],
        lightsOn: false,
        extinction,
        fogColour: overcast ? [0.68, 0.7, 0.72] : [0.78, 0.82, 0.88],
        skyHorizon: overcast ? [0.66, 0.68, 0.7] : [0.75, 0.84, 0.95],
        skyZenith: overcast ? [0.55, 0.57, 0.6] : [0.3, 0.5, 0.85],
        groundTint,
      };
    case 'dusk':
      return {
        sunDirection,
        sunColour: scale([1, 0.6, 0.35], overcast ? 0.12 : 0.5),
        ambient: overcast ? [0.12, 0.12, 0.14] : [0.14, 0.14, 0.2],
        lightsOn: true,
        extinction,
        fogColour: overcast ? [0.3, 0.28, 0.3] : [0.5, 0.42, 0.42],
        skyHorizon: overcast ? [0.33, 0.3, 0.32] : [0.95, 0.55, 0.35],
        skyZenith: overcast ? [0.2, 0.2, 0.24] : [0.2, 0.22, 0.45],
        groundTint,
      };
    case 'night':
      return {
        sunDirection,
        sunColour: [0, 0, 0],
        ambient: [0.008, 0.009, 0.013],
        lightsOn: true,
        extinction,
        fogColour: [0.02, 0.02, 0.025],
        skyHorizon: [0.015, 0.015, 0.03],
        skyZenith: [0.004, 0.005, 0.012],
        groundTint,
      };
  }
}

function scale(colour: Rgb, factor: number): Rgb {
  return [colour[0] * factor, colour[1] * factor, colour[2] * factor];
}
