import { useEffect, useState } from 'react';
import type { FileRef } from '../../../src/api/contract.js';
import { useApi } from '../api/api-context.js';
import { zoomFactor, type Zoom } from './zoom.js';

interface Size {
  width: number;
  height: number;
}

/** Shows one image of a sample at its natural resolution, enlarged by a whole factor, never shrunk. */
export function SampleImage({ file, sampleId, zoom }: { file: FileRef; sampleId: string; zoom: Zoom }) {
  const api = useApi();
  const src = api.fileUrl(file.token);
  const [natural, setNatural] = useState<Size | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    setNatural(null);
    setFailure(null);
  }, [src]);

  const width = natural?.width ?? file.width;
  const height = natural?.height ?? file.height;
  const factor = width !== null && height !== null ? zoomFactor(zoom, width, height) : 1;

  return (
    <figure className="sample-image">
      <div className="image-frame">
        {failure === null ? (
          <img
            src={src}
            alt={`${file.kind} ${file.name} of sample ${sampleId}`}
            width={width !== null ? width * factor : undefined}
            height={height !== null ? height * factor : undefined}
            onLoad={(event) => setNatural({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight })}
            onError={() => {
              void describeImageFailure(src).then(setFailure);
            }}
          />
        ) : (
          <p className="image-error" role="alert">
            {file.kind} {file.name}: {failure}
          </p>
        )}
      </div>
      <figcaption>
        <span className="mono">{file.kind}</span> {file.name}
        {width !== null && height !== null && (
          <>
            {' '}
            · {width}×{height} px · ×{factor}
          </>
        )}
      </figcaption>
    </figure>
  );
}

/** Ask the server why an image failed: its error replies carry a message and a hint. */
async function describeImageFailure(src: string): Promise<string> {
  try {
    const response = await fetch(src);
    const body = (await response.json()) as { error?: { message?: string; hint?: string } };
    if (body.error?.message !== undefined) return [body.error.message, body.error.hint].filter(Boolean).join(' ');
  } catch {
    // The body was not an error reply: fall through to the generic message.
  }
  return 'the image could not be loaded or decoded. Check that the file exists and is a PNG or JPEG.';
}
