/**
 * The three.js side of a LiDAR view, free of React: a renderer on its own canvas, a z-up perspective
 * camera with OrbitControls, and one `Points` object for the current sweep.
 *
 * Lifecycle: `setSweep` replaces the points and disposes the previous geometry and material, so GPU
 * memory stays flat while pairs are paged. `dispose` frees the points, the controls and the renderer,
 * and releases the WebGL context, because browsers keep a limited number of live contexts (16 in
 * Chromium and Firefox by default) and drop the oldest beyond that.
 * Frames are drawn on demand (a control change, a resize, new data), never in a continuous loop.
 */
import { BufferAttribute, BufferGeometry, PerspectiveCamera, Points, PointsMaterial, Scene, WebGLRenderer } from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { WirePoints } from '../../../src/api/sensor-wire.js';
import type { CameraLink, LinkedView } from './camera-link.js';
import { fillPointColors, robustRange, type AppliedColoring, type ColorMode } from './colormap.js';

/** Counts written after each frame, for the container's `data-geometries` and `data-points`. */
export interface LidarFrameStats {
  geometries: number;
  points: number;
}

const FIELD_OF_VIEW_DEGREES = 50;
/** The default view frames the horizontal distance that 95% of the points lie within, at least this many metres. */
const MIN_VIEW_RADIUS_METRES = 10;
/**
 * The top-down camera sits this fraction of its height behind the target (towards -x). Exactly
 * overhead, "up" would be parallel to the view direction. The small offset makes forward (+x) point
 * up on screen, and OrbitControls keeps that azimuth when the view is tilted back to vertical.
 */
const BEHIND_FRACTION = 1e-3;

export class LidarScene {
  readonly canvas: HTMLCanvasElement;
  private readonly renderer: WebGLRenderer;
  private readonly camera = new PerspectiveCamera(FIELD_OF_VIEW_DEGREES, 1, 0.1, 10_000);
  private readonly controls: OrbitControls;
  private readonly scene = new Scene();
  private readonly linkedView: LinkedView;
  private points: Points<BufferGeometry, PointsMaterial> | null = null;
  private sweep: WirePoints | null = null;
  private pointSize = 2;
  private fitted = false;
  private frameRequest: number | null = null;
  private leaveLink: (() => void) | null = null;
  private link: CameraLink | null = null;
  /** When the user last moved this view's camera, from performance.now(); 0 for never. */
  private movedAt = 0;

  /** Raises when WebGL is unavailable; the caller shows that instead of the view. */
  constructor(private readonly onFrame: (stats: LidarFrameStats) => void) {
    this.canvas = document.createElement('canvas');
    // Ask for the context here: three.js would log a console error before raising, and this message is clearer.
    const context = this.canvas.getContext('webgl2', { alpha: false, antialias: false });
    if (context === null) throw new Error('this browser could not create a WebGL 2 context');
    this.renderer = new WebGLRenderer({ canvas: this.canvas, context, antialias: false });
    this.renderer.setPixelRatio(window.devicePixelRatio);
    this.renderer.setClearColor(0x0f141c);

    this.camera.up.set(0, 0, 1);
    this.controls = new OrbitControls(this.camera, this.canvas);
    this.controls.zoomToCursor = true;
    this.controls.addEventListener('change', this.handleControlsChange);

    this.linkedView = {
      camera: this.camera,
      target: this.controls.target,
      onSynced: () => this.requestRender(),
      lastMoved: () => this.movedAt,
    };
    this.fitView(MIN_VIEW_RADIUS_METRES);
  }

  /** Set the drawing size in CSS pixels; the canvas style is left to CSS. */
  setSize(width: number, height: number): void {
    if (width <= 0 || height <= 0) return;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  /** Replace the drawn sweep, dispose the previous geometry and material, and draw. */
  setSweep(sweep: WirePoints, mode: ColorMode): AppliedColoring {
    this.disposePoints();

    const positions = new Float32Array(sweep.count * 3);
    for (let i = 0; i < sweep.count; i++) {
      positions[i * 3] = sweep.x[i] ?? 0;
      positions[i * 3 + 1] = sweep.y[i] ?? 0;
      positions[i * 3 + 2] = sweep.z[i] ?? 0;
    }
    const colors = new Float32Array(sweep.count * 3);
    const coloring = fillPointColors(sweep, mode, colors);

    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new BufferAttribute(positions, 3));
    geometry.setAttribute('color', new BufferAttribute(colors, 3));
    // sizeAttenuation off: the size is in CSS pixels (three.js multiplies it by the pixel ratio) at any distance.
    const material = new PointsMaterial({ size: this.pointSize, sizeAttenuation: false, vertexColors: true });
    const points = new Points(geometry, material);
    // One object that is nearly always in view: skipping culling saves a bounding sphere over every point.
    points.frustumCulled = false;

    this.scene.add(points);
    this.points = points;
    this.sweep = sweep;
    if (!this.fitted) this.resetView();
    this.render();
    return coloring;
  }

  /** Remove the drawn sweep (after a failed load, so the previous sample's points do not stay on screen). */
  clearSweep(): void {
    this.disposePoints();
    this.render();
  }

  /** Recolour the current sweep in place; returns null when there is no sweep. */
  setColorMode(mode: ColorMode): AppliedColoring | null {
    if (this.points === null || this.sweep === null) return null;
    const attribute = this.points.geometry.getAttribute('color') as BufferAttribute;
    const coloring = fillPointColors(this.sweep, mode, attribute.array as Float32Array);
    attribute.needsUpdate = true;
    this.requestRender();
    return coloring;
  }

  setPointSize(size: number): void {
    this.pointSize = size;
    if (this.points !== null) this.points.material.size = size;
    this.requestRender();
  }

  /** Move to the top-down view framing the current sweep, and move linked views along. */
  resetView(): void {
    const radius = this.sweep === null ? MIN_VIEW_RADIUS_METRES : horizontalRadius(this.sweep);
    this.fitView(radius);
    this.fitted = this.sweep !== null;
    this.link?.publish(this.linkedView);
    this.requestRender();
  }

  /** Join `link` (or leave the current one with null). Joining moves the other members to this view once it has a sweep. */
  setLink(link: CameraLink | null): void {
    if (link === this.link) return;
    this.leaveLink?.();
    this.leaveLink = null;
    this.link = link;
    if (link === null) return;
    this.leaveLink = link.join(this.linkedView);
    if (this.fitted) link.publishLatest();
  }

  /** Draw one frame now and report the counts. */
  render(): void {
    if (this.frameRequest !== null) {
      cancelAnimationFrame(this.frameRequest);
      this.frameRequest = null;
    }
    this.renderer.render(this.scene, this.camera);
    this.onFrame({ geometries: this.renderer.info.memory.geometries, points: this.sweep?.count ?? 0 });
  }

  /** Draw once on the next animation frame; several requests in one frame draw once. */
  requestRender(): void {
    if (this.frameRequest !== null) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = null;
      this.render();
    });
  }

  dispose(): void {
    if (this.frameRequest !== null) cancelAnimationFrame(this.frameRequest);
    this.frameRequest = null;
    this.setLink(null);
    this.disposePoints();
    this.controls.removeEventListener('change', this.handleControlsChange);
    this.controls.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
  }

  private readonly handleControlsChange = (): void => {
    this.movedAt = performance.now();
    this.requestRender();
    this.link?.publish(this.linkedView);
  };

  private fitView(radius: number): void {
    const height = (radius * 1.1) / Math.tan(((FIELD_OF_VIEW_DEGREES / 2) * Math.PI) / 180);
    this.controls.target.set(0, 0, 0);
    this.camera.up.set(0, 0, 1);
    this.camera.position.set(-height * BEHIND_FRACTION, 0, height);
    this.camera.zoom = 1;
    this.camera.updateProjectionMatrix();
    this.controls.update();
  }

  private disposePoints(): void {
    if (this.points === null) return;
    this.scene.remove(this.points);
    this.points.geometry.dispose();
    this.points.material.dispose();
    this.points = null;
    this.sweep = null;
  }
}

function horizontalRadius(sweep: WirePoints): number {
  const distances = new Float32Array(sweep.count);
  for (let i = 0; i < sweep.count; i++) distances[i] = Math.hypot(sweep.x[i] ?? 0, sweep.y[i] ?? 0);
  return Math.max(MIN_VIEW_RADIUS_METRES, robustRange(distances, 0, 95)?.max ?? 0);
}
