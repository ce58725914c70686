/**
 * Hash routes, so that a reload keeps the place and the UI works from any static server and
 * from Electron's app:// protocol alike.
 *
 *   #/                                 datasets
 *   #/datasets/<datasetId>             dataset overview
 *   #/queues/<queueId>?page=<n>        queue table, page n (1-based)
 *   #/queues/<queueId>/pairs/<pos>     one pair; pos is the queue position (0-based, as in the API)
 */

export type Route =
  | { screen: 'datasets' }
  | { screen: 'dataset'; datasetId: string }
  | { screen: 'queue'; queueId: string; page: number }
  | { screen: 'pair'; queueId: string; position: number }
  | { screen: 'unknown'; hash: string };

export function parseRoute(hash: string): Route {
  const withoutMark = hash.startsWith('#') ? hash.slice(1) : hash;
  const [path = '', query = ''] = withoutMark.split('?', 2);
  const parts = path.split('/').filter((part) => part !== '');
  const segments = decodeSegments(parts);
  if (segments === null) return { screen: 'unknown', hash };

  const [first, id, third, fourth] = segments;
  if (segments.length === 0) return { screen: 'datasets' };
  if (first === 'datasets' && id !== undefined && segments.length === 2) return { screen: 'dataset', datasetId: id };
  if (first === 'queues' && id !== undefined && segments.length === 2) {
    const page = Number(new URLSearchParams(query).get('page') ?? '1');
    return { screen: 'queue', queueId: id, page: Number.isInteger(page) && page >= 1 ? page : 1 };
  }
  if (first === 'queues' && id !== undefined && third === 'pairs' && fourth !== undefined && segments.length === 4) {
    const position = Number(fourth);
    if (Number.isInteger(position) && position >= 0) return { screen: 'pair', queueId: id, position };
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
    case 'queue':
      return `#/queues/${encodeURIComponent(route.queueId)}${route.page > 1 ? `?page=${route.page}` : ''}`;
    case 'pair':
      return `#/queues/${encodeURIComponent(route.queueId)}/pairs/${route.position}`;
    case 'unknown':
      return route.hash;
  }
}

function decodeSegments(parts: string[]): string[] | null {
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
}
