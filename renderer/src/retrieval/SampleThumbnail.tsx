import { useApi } from '../api/api-context.js';
import { useApiCall } from '../api/use-api-call.js';
import { routeHash } from '../routes.js';

/** Shows the sample's first image, small, as a link to the sample's own screen. */
export function SampleThumbnail({ datasetId, sampleId }: { datasetId: string; sampleId: string }) {
  const api = useApi();
  const call = useApiCall('getSample', { datasetId, sampleId });
  const image = call.state.value?.images[0];

  let body;
  if (call.state.status === 'error') body = <span className="thumbnail-missing">not found</span>;
  else if (call.state.value === undefined) body = <span className="thumbnail-missing">…</span>;
  else if (image === undefined) body = <span className="thumbnail-missing">no image</span>;
  else body = <img src={api.fileUrl(image.token)} alt={`${image.kind} ${image.name} of sample ${sampleId}`} loading="lazy" />;

  return (
    <a className="thumbnail" href={routeHash({ screen: 'sample', datasetId, sampleId })} title={sampleId}>
      {body}
      <span className="thumbnail-id mono">{sampleId}</span>
    </a>
  );
}
