/**
 * Exit codes of `apron`, stable so that scripts can rely on them (also listed in `apron --help`).
 */
import type { ErrorCode } from '../core/errors.js';

export const EXIT = {
  ok: 0,
  /** An unexpected failure: a bug, or an error the engine did not classify. */
  failure: 1,
  /** Bad command line: unknown command or option, missing or invalid argument. */
  usage: 2,
  /** Bad input data: a missing path, an invalid manifest or pose file, an unreadable image. */
  input: 3,
  /** The request conflicts with what exists: a stored id, a port in use. */
  conflict: 4,
  /** A required backend or tool is not available on this machine. */
  unavailable: 5,
  /** Stopped by the user (Ctrl-C), after saving what was complete. */
  cancelled: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'not-found':
    case 'invalid-input':
    case 'invalid-manifest':
    case 'unreadable-file':
      return EXIT.input;
    case 'conflict':
      return EXIT.conflict;
    case 'backend-unavailable':
      return EXIT.unavailable;
    case 'cancelled':
      return EXIT.cancelled;
    case 'internal':
      return EXIT.failure;
  }
}

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    unexpected failure (a bug; the message says what failed)
  2    usage error (unknown command or option, missing argument)
  3    input error (missing path, invalid manifest or pose file, unreadable image)
  4    conflict (a dataset id that already exists, a port already in use)
  5    a required backend is not available
  130  cancelled with Ctrl-C`;
