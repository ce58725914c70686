/**
 * Errors meant for people: what failed, on which file or value, and what to do next.
 *
 * Every layer throws `ApronError` for problems a user can act on (bad input, missing files,
 * unknown ids). Anything else that escapes is a bug and is reported as `internal`.
 */

export type ErrorCode =
  | 'not-found'
  | 'invalid-input'
  | 'invalid-manifest'
  | 'unreadable-file'
  | 'conflict'
  | 'cancelled'
  | 'backend-unavailable'
  | 'internal';

/** The structured form of an error that crosses a process or network boundary. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  hint?: string;
  path?: string;
}

export class ApronError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly path: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApronError';
    this.code = code;
    this.hint = options.hint;
    this.path = options.path;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.hint !== undefined) info.hint = this.hint;
    if (this.path !== undefined) info.path = this.path;
    return info;
  }
}

/** Convert anything thrown into the structured form, keeping ApronError details. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof ApronError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message, hint: 'This is a bug in Apron; please report it with the log.' };
}

/** Format an error for a terminal: message, then the file and the hint on their own lines. */
export function formatError(error: unknown): string {
  const info = toErrorInfo(error);
  const lines = [`error: ${info.message}`];
  if (info.path !== undefined && !info.message.includes(info.path)) lines.push(`  file: ${info.path}`);
  if (info.hint !== undefined) lines.push(`  hint: ${info.hint}`);
  return lines.join('\n');
}
