import { useId, useState } from 'react';
import type { FileRef, MapOverlay } from '../../../src/api/contract.js';
import { useApi } from '../api/api-context.js';
import { describeError, describeImageFailure } from './fetch-sensor.js';
import { chooseScaleBar, formatScaleLength, MAP_DRAW_ORDER, MAP_LAYER_STYLES, parseMapOverlay, svgPoints } from './map-overlay.js';
import { useSensorFile } from './use-sensor-file.js';
import type { ViewState } from './view-state.js';

interface Size {
  width: number;
  height: number;
}

const decodeOverlay = async (response: Response): Promise<MapOverlay> => parseMapOverlay(await response.json());

/**
 * Shows one BEV raster with its vector map on top, an ego marker and a scale bar. The SVG's
 * viewBox is the raster's pixel grid, so every overlay stays aligned at any displayed size.
 */
export function BevView({ file, sampleId }: { file: FileRef; sampleId: string }) {
  const api = useApi();
  const patternId = `${useId()}-crossing`;
  const src = api.fileUrl(file.token);
  const [natural, setNatural] = useState<{ src: string; size: Size } | null>(null);
  const [imageFailure, setImageFailure] = useState<{ src: string; message: string } | null>(null);
  const [showMap, setShowMap] = useState(true);
  const overlay = useSensorFile(file.mapToken, 'map overlay', decodeOverlay);

  const loaded = natural?.src === src ? natural.size : null;
  const failure = imageFailure?.src === src ? imageFailure.message : null;
  const raster: Size | null = loaded ?? (file.width !== null && file.height !== null ? { width: file.width, height: file.height } : null);
  const map = overlay.status === 'ok' ? overlay.value : null;
  const scaleBar = raster === null ? null : chooseScaleBar(file.metresPerPixel, raster.width);
  let state: ViewState = loaded !== null && overlay.status !== 'loading' ? 'ready' : 'loading';
  if (failure !== null || overlay.status === 'error') state = 'error';

  return (
    <figure className="sensor-view bev-view" data-state={state}>
      <div className="bev-frame">
        {failure === null ? (
          <img
            src={src}
            alt={`BEV ${file.name} of sample ${sampleId}`}
            onLoad={(event) => setNatural({ src, size: { width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight } })}
            onError={() => void describeImageFailure(src).then((message) => setImageFailure({ src, message }))}
          />
        ) : (
          <p className="sensor-message" role="alert">
            BEV {file.name}: {failure}
          </p>
        )}
        {raster !== null && failure === null && (
          <svg className="bev-overlay" viewBox={`0 0 ${raster.width} ${raster.height}`} preserveAspectRatio="none" aria-hidden="true">
            <defs>
              <pattern id={patternId} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <line x1="0" y1="0" x2="0" y2="6" className="map-hatch" />
              </pattern>
            </defs>
            {map !== null && showMap && <MapShapes map={map} raster={raster} hatchId={patternId} />}
            {file.egoPixel !== null && <EgoMarker column={file.egoPixel.column} row={file.egoPixel.row} raster={raster} />}
          </svg>
        )}
        {scaleBar !== null && raster !== null && failure === null && (
          <div className="scale-bar" style={{ width: `${(scaleBar.pixels / raster.width) * 100}%` }}>
            {formatScaleLength(scaleBar.metres)}
          </div>
        )}
      </div>
      <figcaption>
        <span className="mono">bev</span> {file.name} <span className="muted">({file.source === 'lidar' ? 'computed from the LiDAR sweep' : 'raster file'})</span>
        {raster !== null && (
          <span className="muted">
            {' '}
            · {raster.width}×{raster.height} px
            {file.metresPerPixel !== null && ` · ${file.metresPerPixel} m/px`}
          </span>
        )}
        {file.mapToken !== null && (
          <label className="overlay-toggle">
            <input type="checkbox" checked={showMap} onChange={(event) => setShowMap(event.currentTarget.checked)} /> Map
          </label>
        )}
        {overlay.status === 'error' && (
          <span className="sensor-inline-error" role="alert">
            Map: {describeError(overlay.error)}
          </span>
        )}
        {map !== null && showMap && <MapLegend map={map} />}
      </figcaption>
    </figure>
  );
}

function MapShapes({ map, raster, hatchId }: { map: MapOverlay; raster: Size; hatchId: string }) {
  // The overlay's pixel grid should be the raster's. If the server sent another size, the shapes are stretched to fit.
  const transform = map.width === raster.width && map.height === raster.height ? undefined : `scale(${raster.width / map.width} ${raster.height / map.height})`;
  return (
    <g transform={transform}>
      {MAP_DRAW_ORDER.map((kind) =>
        map.shapes
          .map((shape, index) => ({ shape, index }))
          .filter(({ shape }) => shape.kind === kind)
          .map(({ shape, index }) => {
            const style = MAP_LAYER_STYLES[kind];
            const points = svgPoints(shape.points);
            if (shape.closed && style.filled) {
              const fill = kind === 'pedestrian-crossing' ? `url(#${hatchId})` : undefined;
              return <polygon key={index} points={points} className={style.className} fill={fill} vectorEffect="non-scaling-stroke" />;
            }
            if (shape.closed) return <polygon key={index} points={points} className={`${style.className} map-line`} vectorEffect="non-scaling-stroke" />;
            return <polyline key={index} points={points} className={`${style.className} map-line`} vectorEffect="non-scaling-stroke" />;
          }),
      )}
    </g>
  );
}

function EgoMarker({ column, row, raster }: { column: number; row: number; raster: Size }) {
  const radius = Math.max(1.5, Math.min(raster.width, raster.height) / 60);
  return (
    <g className="ego-marker">
      <circle cx={column} cy={row} r={radius} vectorEffect="non-scaling-stroke" />
      <line x1={column - radius * 2} y1={row} x2={column + radius * 2} y2={row} vectorEffect="non-scaling-stroke" />
      <line x1={column} y1={row - radius * 2} x2={column} y2={row + radius * 2} vectorEffect="non-scaling-stroke" />
    </g>
  );
}

function MapLegend({ map }: { map: MapOverlay }) {
  const present = MAP_DRAW_ORDER.filter((kind) => map.shapes.some((shape) => shape.kind === kind));
  if (present.length === 0) return <div className="sensor-legend muted">The map has no elements in this raster.</div>;
  return (
    <ul className="sensor-legend map-legend">
      {present.map((kind) => (
        <li key={kind}>
          <span className={`map-swatch ${MAP_LAYER_STYLES[kind].className}-swatch`} aria-hidden="true" /> {MAP_LAYER_STYLES[kind].label}
        </li>
      ))}
    </ul>
  );
}
