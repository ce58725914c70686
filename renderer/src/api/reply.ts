import { ApiCallError, type ApiMethod, type ApiReply, type ApiResults } from '../../../src/api/contract.js';

/** Return the value of an ok reply, or throw its error as an ApiCallError. */
export function unwrapReply<M extends ApiMethod>(method: M, reply: unknown): ApiResults[M] {
  if (!isApiReply(reply)) {
    throw new ApiCallError({
      code: 'internal',
      message: `The engine returned something other than an API reply for ${method}.`,
      hint: 'The UI and the engine may be from different builds; run `npm run build` and restart Apron.',
    });
  }
  if (!reply.ok) throw new ApiCallError(reply.error);
  return reply.value as ApiResults[M];
}

function isApiReply(value: unknown): value is ApiReply<ApiMethod> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'value' in value;
  return value.ok === false && 'error' in value && typeof value.error === 'object' && value.error !== null;
}
