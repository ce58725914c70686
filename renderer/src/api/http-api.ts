/** ApronApi over HTTP, for the UI served by `apron serve`. */
import { ApiCallError, type ApiArgs, type ApiMethod, type ApiResults, type ApronApi } from '../../../src/api/contract.js';
import { unwrapReply } from './reply.js';

/** Create the HTTP client; `baseUrl` is empty when the UI comes from the same server. */
export function createHttpApi(baseUrl = ''): ApronApi {
  return {
    async call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResults[M]> {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(args),
        });
      } catch (error) {
        throw new ApiCallError({
          code: 'unavailable',
          message: `Cannot reach the Apron server for ${method}: ${(error as Error).message}`,
          hint: 'Check that `apron serve` is still running, then try again.',
        });
      }

      let reply: unknown;
      try {
        reply = await response.json();
      } catch {
        throw new ApiCallError({
          code: 'internal',
          message: `The server responded to ${method} with status ${response.status} and a body that is not JSON.`,
          hint: 'Check the terminal that runs `apron serve` for errors.',
        });
      }
      return unwrapReply(method, reply);
    },

    fileUrl(token: string): string {
      return `${baseUrl}/files/${encodeURIComponent(token)}`;
    },
  };
}
