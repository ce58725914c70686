/**
 * One path from a raw call (method name and JSON arguments from HTTP or IPC) to a reply: check the
 * method, parse the arguments with the contract's schema, run the handler, and turn any error into
 * the structured form. Nothing thrown escapes, so a bridge can send the reply as it is.
 */
import { API_METHODS, apiArgs, type ApiMethod, type ApiReply, type ApiResults } from './contract.js';
import { toErrorInfo } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import type { ApiHandlers } from './handlers.js';

const log = createLogger('api');

export function isApiMethod(method: string): method is ApiMethod {
  return (API_METHODS as readonly string[]).includes(method);
}

/** Runs one API call. Missing arguments (`undefined`) count as `{}`, for calls that take none. */
export async function dispatchApiCall(handlers: ApiHandlers, method: string, rawArgs: unknown): Promise<ApiReply<ApiMethod>> {
  if (!isApiMethod(method)) {
    return {
      ok: false,
      error: {
        code: 'invalid-input',
        message: `Unknown API method "${method.slice(0, 100)}".`,
        hint: `The API has these methods: ${API_METHODS.join(', ')}.`,
      },
    };
  }

  const parsed = apiArgs[method].safeParse(rawArgs === undefined ? {} : rawArgs);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(arguments)'}: ${issue.message}`)
      .join('; ');
    return {
      ok: false,
      error: {
        code: 'invalid-input',
        message: `Invalid arguments for ${method}: ${issues}.`,
        hint: 'The arguments must match the schema of this call in src/api/contract.ts.',
      },
    };
  }

  try {
    // TypeScript cannot tie `method` to its own argument type through the union, so the handler is
    // called through a widened type. The schema above has checked the arguments.
    const handler = handlers[method] as (args: unknown) => Promise<ApiResults[ApiMethod]>;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (error) {
    const info = toErrorInfo(error);
    if (info.code === 'internal') log.error(`API call ${method} failed`, error);
    else log.debug(`API call ${method} failed: ${info.code}: ${info.message}`);
    return { ok: false, error: info };
  }
}
