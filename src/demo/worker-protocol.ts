/** Messages between `generateDemo` and its render workers. */
import type { ErrorInfo } from '../core/errors.js';
import type { ResolvedDemoOptions } from './options.js';
import type { RenderedSample } from './render-samples.js';

export interface DemoWorkerData {
  options: ResolvedDemoOptions;
  folder: string;
  visitIndices: number[];
}

export type FromDemoWorker = { type: 'sample'; sample: RenderedSample } | { type: 'done' } | { type: 'error'; error: ErrorInfo };

export type ToDemoWorker = { type: 'cancel' };
