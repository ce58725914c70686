import { useEffect, useRef, useState } from 'react';
import type { LidarRef } from '../../../src/api/contract.js';
import { decodePoints, type WirePoints } from '../../../src/api/sensor-wire.js';
import type { CameraLink } from './camera-link.js';
import { ColorLegend } from './ColorLegend.js';
import type { AppliedColoring, ColorMode } from './colormap.js';
import { describeError } from './fetch-sensor.js';
import { LidarScene, type LidarFrameStats } from './lidar-scene.js';
import { describeSweep, type SweepLoadedHandler } from './sweep-info.js';
import { useSensorFile } from './use-sensor-file.js';
import type { ViewState } from './view-state.js';

export interface LidarViewProps {
  lidar: LidarRef;
  colorMode: ColorMode;
  /** Point size in CSS pixels. */
  pointSize: number;
  /** Views in the same link move together; null moves this view alone. */
  link: CameraLink | null;
  /** Each increment moves the view back to the default top-down view. */
  resetCount: number;
  onSweepLoaded?: SweepLoadedHandler;
}

const decodeSweep = async (response: Response): Promise<WirePoints> => decodePoints(await response.arrayBuffer());

/**
 * Draws one LiDAR sweep with three.js, top-down with forward up, with orbit, pan and zoom. The
 * container carries `data-state`, `data-points` and `data-geometries` (GPU geometries alive in this
 * view's renderer) for tests and benchmarks.
 */
export function LidarView({ lidar, colorMode, pointSize, link, resetCount, onSweepLoaded }: LidarViewProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const sceneRef = useRef<LidarScene | null>(null);
  const [webglFailure, setWebglFailure] = useState<string | null>(null);
  const [drawn, setDrawn] = useState<{ sweep: WirePoints; coloring: AppliedColoring } | null>(null);
  const sweep = useSensorFile(lidar.token, 'LiDAR sweep', decodeSweep);
  const colorModeRef = useRef(colorMode);
  colorModeRef.current = colorMode;
  const onSweepLoadedRef = useRef(onSweepLoaded);
  onSweepLoadedRef.current = onSweepLoaded;

  // The scene lives as long as the component: created on mount, disposed with its GPU memory on unmount.
  useEffect(() => {
    const container = containerRef.current;
    if (container === null) return;
    let scene: LidarScene;
    try {
      scene = new LidarScene((stats) => writeFrameStats(container, stats));
    } catch (error) {
      setWebglFailure(`WebGL is not available, so the LiDAR sweep cannot be drawn (${describeError(error)}). Turn on hardware acceleration or use a browser with WebGL 2.`);
      return;
    }
    container.prepend(scene.canvas);
    sceneRef.current = scene;
    const observer = new ResizeObserver(() => scene.setSize(container.clientWidth, container.clientHeight));
    observer.observe(container);
    return () => {
      observer.disconnect();
      sceneRef.current = null;
      scene.dispose();
      scene.canvas.remove();
      setDrawn(null);
    };
  }, []);

  const loaded = sweep.status === 'ok' ? sweep.value : null;
  useEffect(() => {
    if (loaded === null) return;
    onSweepLoadedRef.current?.(lidar.token, describeSweep(loaded));
    const scene = sceneRef.current;
    if (scene === null) return;
    setDrawn({ sweep: loaded, coloring: scene.setSweep(loaded, colorModeRef.current) });
  }, [loaded, lidar.token]);

  const failed = sweep.status === 'error';
  useEffect(() => {
    if (!failed) return;
    sceneRef.current?.clearSweep();
    setDrawn(null);
  }, [failed]);

  useEffect(() => {
    const coloring = sceneRef.current?.setColorMode(colorMode) ?? null;
    if (coloring !== null) setDrawn((previous) => (previous === null ? null : { ...previous, coloring }));
  }, [colorMode]);

  useEffect(() => sceneRef.current?.setPointSize(pointSize), [pointSize]);
  useEffect(() => sceneRef.current?.setLink(link), [link]);

  const firstReset = useRef(resetCount);
  useEffect(() => {
    if (resetCount !== firstReset.current) sceneRef.current?.resetView();
  }, [resetCount]);

  const isDrawn = drawn !== null && drawn.sweep === loaded;
  let state: ViewState = isDrawn ? 'ready' : 'loading';
  if (webglFailure !== null || sweep.status === 'error') state = 'error';

  return (
    <figure className="sensor-view lidar-view-figure">
      <div ref={containerRef} className="lidar-view" data-state={state}>
        {webglFailure !== null && (
          <p className="sensor-message" role="alert">
            {webglFailure}
          </p>
        )}
        {sweep.status === 'error' && (
          <p className="sensor-message" role="alert">
            LiDAR {lidar.name}: {describeError(sweep.error)}
          </p>
        )}
        {state === 'loading' && webglFailure === null && <p className="sensor-loading">Loading sweep…</p>}
      </div>
      <figcaption>
        <span className="mono">lidar</span> {lidar.name} <span className="muted">({lidar.format}, {lidar.frame === 'ego' ? 'vehicle frame' : 'sensor frame'})</span>
        {isDrawn && <ColorLegend pointCount={drawn.sweep.count} requested={colorMode} coloring={drawn.coloring} />}
      </figcaption>
    </figure>
  );
}

function writeFrameStats(container: HTMLElement, stats: LidarFrameStats): void {
  container.dataset['geometries'] = String(stats.geometries);
  container.dataset['points'] = String(stats.points);
}
