/**
 * Handlers of the retrieval calls: recall matrix, failure grid, hard-negative board and the two
 * decisions made from them. createApiHandlers spreads them in with the other handlers.
 */
import type { Store } from '../store/index.js';
import { RetrievalService } from '../retrieval/service.js';
import type { ApiHandlers } from './handlers.js';
import type { ManifestCache } from './manifest-cache.js';

export type RetrievalHandlers = Pick<
  ApiHandlers,
  'getRecallMatrix' | 'getRetrievalFailures' | 'markRetrievedSame' | 'listHardNegativeCandidates' | 'confirmHardNegative'
>;

export function createRetrievalHandlers(store: Store, manifests: ManifestCache): RetrievalHandlers {
  // One service per handler set, so its neighbour cache lives as long as the server.
  const service = new RetrievalService(store, manifests);

  return {
    async getRecallMatrix(args) {
      return service.recallMatrix(args);
    },

    async getRetrievalFailures(args) {
      return service.failures(args);
    },

    async markRetrievedSame(args) {
      return service.markSame(args);
    },

    async listHardNegativeCandidates(args) {
      return service.hardNegativeBoard(args);
    },

    async confirmHardNegative(args) {
      return service.confirmHardNegative(args);
    },
  };
}
