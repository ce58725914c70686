/**
 * A named logger per subsystem, writing to stderr so that stdout stays free for command output.
 *
 * The level comes from APRON_LOG (debug, info, warn, error, silent); the default is info.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function configuredLevel(): LogLevel {
  const value = process.env['APRON_LOG'];
  if (value !== undefined && value in LEVEL_ORDER) return value as LogLevel;
  return 'info';
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export function createLogger(subsystem: string): Logger {
  const write = (level: LogLevel, message: string): void => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[configuredLevel()]) return;
    const time = new Date().toISOString();
    process.stderr.write(`${time} ${level.padEnd(5)} [${subsystem}] ${message}\n`);
  };
  return {
    debug: (message) => write('debug', message),
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message, error) => {
      const detail = error === undefined ? '' : `: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      write('error', message + detail);
    },
  };
}
