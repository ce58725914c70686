/** Resolves any token of a sample view: files by path, computed sensor data as bytes. */
import { extname } from 'node:path';
import type { Store } from '../../store/index.js';
import { decodeFileToken, resolveFileToken, tokenSample, type ResolvedFile } from '../file-token.js';
import { sharedManifestCache, type ManifestCache } from '../manifest-cache.js';
import { lidarBevPng, mapOverlay, npyBevPng, projectionBytes, sweepBytes } from './products.js';

const BINARY = 'application/octet-stream';

export async function resolveDataToken(store: Store, token: string, manifests: ManifestCache = sharedManifestCache): Promise<ResolvedFile> {
  const fields = decodeFileToken(token);
  const { dataset, sample } = tokenSample(store, fields, manifests);

  switch (fields.kind) {
    case 'camera':
      return resolveFileToken(store, token, manifests);
    case 'bev': {
      const file = sample.bev[fields.index];
      const isArray = file?.format === 'npy' || (file !== undefined && extname(file.path).toLowerCase() === '.npy');
      if (!isArray) return resolveFileToken(store, token, manifests);
      return { body: (await npyBevPng(dataset, sample, fields.index)).png, contentType: 'image/png' };
    }
    case 'lidar':
      return { body: await sweepBytes(dataset, sample, fields.index), contentType: BINARY };
    case 'projection':
      return { body: await projectionBytes(dataset, sample, fields.index, fields.extra ?? 0), contentType: BINARY };
    case 'lidar-bev':
      return { body: (await lidarBevPng(dataset, sample, fields.index)).png, contentType: 'image/png' };
    case 'map': {
      const json = JSON.stringify(mapOverlay(dataset, sample, fields.index));
      return { body: new TextEncoder().encode(json), contentType: 'application/json; charset=utf-8' };
    }
  }
}
