/**
 * Hash routes, so that a reload keeps the place and the UI works from any static server and
 * from Electron's app:// protocol alike.
 *
 *   #/                                 datasets
 *   #/datasets/<datasetId>             dataset overview
 *   #/queues/<queueId>?page=<n>        queue table, page n (1-based)
 *   #/queues/<queueId>/pairs/<n>       pair n of the queue, 1-based as the page shows it (the API's position n - 1)
 *   ?order=active on either            most likely false negatives first (the API's active order)
 *   #/queues/<queueId>/team            agreement, adjudication, history and when to stop
 *   #/datasets/<id>/samples?page=<n>&filter=<text>   the dataset's samples, page n (1-based)
 *   #/datasets/<id>/samples/<sampleId>               one sample in every modality
 *   #/datasets/<id>/runs?run=<runId>                 training runs and their monitor curves; `run` ticks one
 *   #/datasets/<id>/train?run=<runId>                start, stop and resume runs; `run` is the run whose live curves are drawn
 *   #/datasets/<id>/versions/<from>/<to>             how decided pairs moved between two embedding versions
 *   #/datasets/<id>/compare/<sampleA>/<sampleB>      any two samples side by side
 *   #/datasets/<id>/retrieval                        recall across conditions and the failure grid of a cell
 *   #/datasets/<id>/hard-negatives                   the hard-negative board
 */

export type Route =
  | { screen: 'datasets' }
  | { screen: 'dataset'; datasetId: string }
  | { screen: 'queue'; queueId: string; page: number; order?: ReviewOrder }
  | { screen: 'pair'; queueId: string; position: number; order?: ReviewOrder }
  | { screen: 'samples'; datasetId: string; page: number; filter: string }
  | { screen: 'sample'; datasetId: string; sampleId: string }
  | { screen: 'runs'; datasetId: string; runId?: string }
  | { screen: 'train'; datasetId: string; runId: string | null }
  | { screen: 'versions'; datasetId: string; from: string; to: string }
  | { screen: 'team'; queueId: string }
  | { screen: 'compare'; datasetId: string; sampleA: string; sampleB: string }
  | { screen: 'retrieval'; datasetId: string }
  | { screen: 'hard-negatives'; datasetId: string }
  | { screen: 'unknown'; hash: string };

/** Queue order: `similarity` (the mined order, the default) or `active` (estimated P(same) first). */
export type ReviewOrder = 'similarity' | 'active';

export function parseRoute(hash: string): Route {
  const withoutMark = hash.startsWith('#') ? hash.slice(1) : hash;
  const [path = '', query = ''] = withoutMark.split('?', 2);
  const parts = path.split('/').filter((part) => part !== '');
  const segments = decodeSegments(parts);
  if (segments === null) return { screen: 'unknown', hash };

  const [first, id, third, fourth, fifth] = segments;
  const params = new URLSearchParams(query);
  if (segments.length === 0) return { screen: 'datasets' };
  if (first === 'datasets' && id !== undefined && segments.length === 2) return { screen: 'dataset', datasetId: id };
  if (first === 'datasets' && id !== undefined && third === 'runs' && segments.length === 3) {
    const runId = params.get('run');
    return runId === null || runId === '' ? { screen: 'runs', datasetId: id } : { screen: 'runs', datasetId: id, runId };
  }
  if (first === 'datasets' && id !== undefined && third === 'train' && segments.length === 3) {
    const runId = params.get('run');
    return { screen: 'train', datasetId: id, runId: runId === null || runId === '' ? null : runId };
  }
  if (first === 'datasets' && id !== undefined && third === 'versions' && fourth !== undefined && fifth !== undefined && segments.length === 5) {
    return { screen: 'versions', datasetId: id, from: fourth, to: fifth };
  }
  if (first === 'datasets' && id !== undefined && third === 'samples' && segments.length === 3) {
    return { screen: 'samples', datasetId: id, page: pageOf(params), filter: params.get('filter') ?? '' };
  }
  if (first === 'datasets' && id !== undefined && third === 'samples' && fourth !== undefined && segments.length === 4) {
    return { screen: 'sample', datasetId: id, sampleId: fourth };
  }
  if (first === 'datasets' && id !== undefined && third === 'compare' && fourth !== undefined && fifth !== undefined && segments.length === 5) {
    return { screen: 'compare', datasetId: id, sampleA: fourth, sampleB: fifth };
  }
  if (first === 'datasets' && id !== undefined && third === 'retrieval' && segments.length === 3) return { screen: 'retrieval', datasetId: id };
  if (first === 'datasets' && id !== undefined && third === 'hard-negatives' && segments.length === 3) return { screen: 'hard-negatives', datasetId: id };
  if (first === 'queues' && id !== undefined && third === 'team' && segments.length === 3) return { screen: 'team', queueId: id };
  if (first === 'queues' && id !== undefined && segments.length === 2) return { screen: 'queue', queueId: id, page: pageOf(params), ...orderOf(params) };
  if (first === 'queues' && id !== undefined && third === 'pairs' && fourth !== undefined && segments.length === 4) {
    // The address counts pairs from 1, as the page and the queue table do; routes carry the API's 0-based position.
    const pairNumber = Number(fourth);
    if (Number.isInteger(pairNumber) && pairNumber >= 1) return { screen: 'pair', queueId: id, position: pairNumber - 1, ...orderOf(params) };
  }
  return { screen: 'unknown', hash };
}

/** Format the hash (with its leading `#`) for a route. */
export function routeHash(route: Route): string {
  switch (route.screen) {
    case 'datasets':
      return '#/';
    case 'dataset':
      return `#/datasets/${encodeURIComponent(route.datasetId)}`;
    case 'queue': {
      const params = new URLSearchParams();
      if (route.page > 1) params.set('page', String(route.page));
      if (route.order === 'active') params.set('order', 'active');
      const query = params.toString();
      return `#/queues/${encodeURIComponent(route.queueId)}${query === '' ? '' : `?${query}`}`;
    }
    case 'pair':
      return `#/queues/${encodeURIComponent(route.queueId)}/pairs/${route.position + 1}${route.order === 'active' ? '?order=active' : ''}`;
    case 'samples': {
      const params = new URLSearchParams();
      if (route.page > 1) params.set('page', String(route.page));
      if (route.filter !== '') params.set('filter', route.filter);
      const query = params.toString();
      return `#/datasets/${encodeURIComponent(route.datasetId)}/samples${query === '' ? '' : `?${query}`}`;
    }
    case 'runs':
      return `#/datasets/${encodeURIComponent(route.datasetId)}/runs${route.runId === undefined ? '' : `?run=${encodeURIComponent(route.runId)}`}`;
    case 'train':
      return `#/datasets/${encodeURIComponent(route.datasetId)}/train${route.runId === null ? '' : `?run=${encodeURIComponent(route.runId)}`}`;
    case 'versions':
      return `#/datasets/${encodeURIComponent(route.datasetId)}/versions/${encodeURIComponent(route.from)}/${encodeURIComponent(route.to)}`;
    case 'team':
      return `#/queues/${encodeURIComponent(route.queueId)}/team`;
    case 'sample':
      return `#/datasets/${encodeURIComponent(route.datasetId)}/samples/${encodeURIComponent(route.sampleId)}`;
    case 'compare':
      return `#/datasets/${encodeURIComponent(route.datasetId)}/compare/${encodeURIComponent(route.sampleA)}/${encodeURIComponent(route.sampleB)}`;
    case 'retrieval':
      return `#/datasets/${encodeURIComponent(route.datasetId)}/retrieval`;
    case 'hard-negatives':
      return `#/datasets/${encodeURIComponent(route.datasetId)}/hard-negatives`;
    case 'unknown':
      return route.hash;
  }
}

/** Returns the 1-based page number of the query, or 1 when it is missing or not a positive whole number. */
function pageOf(params: URLSearchParams): number {
  const page = Number(params.get('page') ?? '1');
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

/** Returns `{ order: 'active' }` for `order=active`, and nothing for the default similarity order. */
function orderOf(params: URLSearchParams): { order?: ReviewOrder } {
  return params.get('order') === 'active' ? { order: 'active' } : {};
}

function decodeSegments(parts: string[]): string[] | null {
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
}
