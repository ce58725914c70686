import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/fail-on-console-error.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // Training and the end-to-end test each want a whole core; two files at once suit a 2-core CI machine.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
    // Engine loggers write info lines to stderr; tests keep warnings and errors only.
    env: { APRON_LOG: process.env['APRON_LOG'] ?? 'warn' },
  },
});
