import { useEffect, useRef, useState } from 'react';
import type { FileRef } from '../../../src/api/contract.js';
import { decodeProjection, type WireProjection } from '../../../src/api/sensor-wire.js';
import { useApi } from '../api/api-context.js';
import { formatCount } from '../format.js';
import { formatLegendValue, turboGradient } from './ColorLegend.js';
import type { ColorRange } from './colormap.js';
import { describeError, describeImageFailure } from './fetch-sensor.js';
import { drawProjection } from './projection-overlay.js';
import { useSensorFile } from './use-sensor-file.js';
import type { ViewState } from './view-state.js';

/** Side of a projected point's square dot, in CSS pixels. */
const DOT_CSS_PIXELS = 2;

const decodeProjectionResponse = async (response: Response): Promise<WireProjection> => decodeProjection(await response.arrayBuffer());

/**
 * Shows one camera image at the panel's width with the sample's LiDAR points projected onto it,
 * coloured by depth. `data-state` is `ready` once the image has loaded and the overlay is drawn.
 */
export function CameraView({ file, sampleId }: { file: FileRef; sampleId: string }) {
  const api = useApi();
  const src = api.fileUrl(file.token);
  const imageRef = useRef<HTMLImageElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [loadedSrc, setLoadedSrc] = useState<string | null>(null);
  const [imageFailure, setImageFailure] = useState<{ src: string; message: string } | null>(null);
  const [showOverlay, setShowOverlay] = useState(true);
  const [lidarName, setLidarName] = useState<string | null>(null);
  const [drawn, setDrawn] = useState<{ projection: WireProjection; range: ColorRange | null } | null>(null);

  const selected = file.projections.find((projection) => projection.lidarName === lidarName) ?? file.projections[0] ?? null;
  const projection = useSensorFile(selected?.token ?? null, 'LiDAR projection', decodeProjectionResponse);
  const imageLoaded = loadedSrc === src;
  const loadedProjection = projection.status === 'ok' ? projection.value : null;

  // Redraw whenever the image's displayed size changes; the canvas matches it in device pixels.
  useEffect(() => {
    const image = imageRef.current;
    const canvas = canvasRef.current;
    if (image === null || canvas === null || !imageLoaded || loadedProjection === null || !showOverlay) return;
    const context = canvas.getContext('2d');
    if (context === null) return;

    const draw = (): void => {
      const ratio = window.devicePixelRatio;
      canvas.width = Math.round(image.clientWidth * ratio);
      canvas.height = Math.round(image.clientHeight * ratio);
      const range = drawProjection(context, loadedProjection, canvas.width, canvas.height, Math.max(1, Math.round(DOT_CSS_PIXELS * ratio)));
      setDrawn({ projection: loadedProjection, range });
    };
    const observer = new ResizeObserver(draw);
    observer.observe(image);
    draw();
    return () => observer.disconnect();
  }, [imageLoaded, loadedProjection, showOverlay]);

  const failure = imageFailure?.src === src ? imageFailure.message : null;
  const overlayDrawn = drawn !== null && drawn.projection === loadedProjection;
  const overlayDone = selected === null || projection.status === 'error' || (loadedProjection !== null && (!showOverlay || overlayDrawn));
  let state: ViewState = imageLoaded && overlayDone ? 'ready' : 'loading';
  if (failure !== null || projection.status === 'error') state = 'error';

  return (
    <figure className="sensor-view camera-view" data-state={state}>
      <div className="camera-frame">
        {failure === null ? (
          <img
            ref={imageRef}
            src={src}
            alt={`Camera ${file.name} of sample ${sampleId}`}
            onLoad={() => setLoadedSrc(src)}
            onError={() => void describeImageFailure(src).then((message) => setImageFailure({ src, message }))}
          />
        ) : (
          <p className="sensor-message" role="alert">
            Camera {file.name}: {failure}
          </p>
        )}
        <canvas ref={canvasRef} className="projection-canvas" hidden={!showOverlay || loadedProjection === null || failure !== null} />
      </div>
      <figcaption>
        <span className="mono">camera</span> {file.name}
        {file.width !== null && file.height !== null && (
          <span className="muted">
            {' '}
            · {file.width}×{file.height} px
          </span>
        )}
        {file.projections.length > 0 && (
          <label className="overlay-toggle">
            <input type="checkbox" checked={showOverlay} onChange={(event) => setShowOverlay(event.currentTarget.checked)} /> LiDAR points
          </label>
        )}
        {file.projections.length > 1 && (
          <select aria-label="Projected LiDAR sweep" value={selected?.lidarName} onChange={(event) => setLidarName(event.currentTarget.value)}>
            {file.projections.map((option) => (
              <option key={option.token} value={option.lidarName}>
                {option.lidarName}
              </option>
            ))}
          </select>
        )}
        {file.projections.length === 0 && <span className="muted"> · no LiDAR projection (no calibration for this camera)</span>}
        {projection.status === 'error' && (
          <span className="sensor-inline-error" role="alert">
            LiDAR points: {describeError(projection.error)}
          </span>
        )}
        {loadedProjection !== null && showOverlay && <DepthLegend projection={loadedProjection} range={overlayDrawn ? drawn.range : null} />}
      </figcaption>
    </figure>
  );
}

function DepthLegend({ projection, range }: { projection: WireProjection; range: ColorRange | null }) {
  return (
    <div className="sensor-legend">
      {range !== null && (
        <span className="legend-scale">
          depth {formatLegendValue(range.min)}
          <span className="legend-gradient" style={{ background: turboGradient(true) }} />
          {formatLegendValue(range.max)} m
        </span>
      )}
      <span title={`${formatCount(projection.inFrontCount)} points lie in front of the camera`}>
        {formatCount(projection.count)} of {formatCount(projection.pointCount)} points in view
      </span>
    </div>
  );
}
