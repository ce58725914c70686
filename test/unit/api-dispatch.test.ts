import { afterAll, describe, expect, it, vi } from 'vitest';
import { API_METHODS, type ApiMethod } from '../../src/api/contract.js';
import { dispatchApiCall, isApiMethod } from '../../src/api/dispatch.js';
import { createApiHandlers, type ApiHandlers } from '../../src/api/handlers.js';
import { ApronError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/index.js';

const store = openStore(':memory:');

afterAll(() => {
  store.close();
});

/** Handlers over an empty in-memory store, with `undo` replaced to throw what a test needs. */
function handlersThatThrow(error: unknown): ApiHandlers {
  return {
    ...createApiHandlers(store),
    undo: async () => {
      throw error;
    },
  };
}

describe('dispatchApiCall', () => {
  const handlers = createApiHandlers(store);

  it('unknown method is rejected', async () => {
    expect(await dispatchApiCall(handlers, 'dropTables', {})).toEqual({
      ok: false,
      error: {
        code: 'invalid-input',
        message: 'Unknown API method "dropTables".',
        hint: `The API has these methods: ${API_METHODS.join(', ')}.`,
      },
    });
  });

  it('prototype names are not methods', async () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(isApiMethod(name)).toBe(false);
      const reply = await dispatchApiCall(handlers, name, {});
      expect(reply.ok ? 'ok' : reply.error.code).toBe('invalid-input');
    }
  });

  it('invalid arguments are rejected with the field', async () => {
    expect(await dispatchApiCall(handlers, 'decide', { queueItemId: 0, verdict: 'maybe', reviewer: 'ann' })).toEqual({
      ok: false,
      error: {
        code: 'invalid-input',
        message: expect.stringMatching(/^Invalid arguments for decide: queueItemId: .+; verdict: .+\.$/),
        hint: 'The arguments must match the schema of this call in src/api/contract.ts.',
      },
    });
    const blankReviewer = await dispatchApiCall(handlers, 'undo', { queueId: 'q1', reviewer: '   ' });
    expect(blankReviewer.ok ? '' : blankReviewer.error.message).toBe('Invalid arguments for undo: reviewer: reviewer name is required.');
    const notAnObject = await dispatchApiCall(handlers, 'listDatasets', null);
    expect(notAnObject.ok ? '' : notAnObject.error.message).toMatch(/^Invalid arguments for listDatasets: \(arguments\): /);
  });

  it('missing arguments count as empty', async () => {
    expect(await dispatchApiCall(handlers, 'listDatasets', undefined)).toEqual({ ok: true, value: [] });
  });

  it('every contract method has a handler', () => {
    const names = Object.keys(handlers).sort();
    expect(names).toEqual([...API_METHODS].sort());
    for (const method of API_METHODS) expect(isApiMethod(method satisfies ApiMethod)).toBe(true);
  });

  it('ApronError keeps code, message and hint', async () => {
    const reply = await dispatchApiCall(
      handlersThatThrow(new ApronError('conflict', 'Queue "q1" already exists.', { hint: 'Pass replace.', path: '/w/q1' })),
      'undo',
      { queueId: 'q1', reviewer: 'ann' },
    );
    expect(reply).toEqual({ ok: false, error: { code: 'conflict', message: 'Queue "q1" already exists.', hint: 'Pass replace.', path: '/w/q1' } });
  });

  it('other errors become internal', async () => {
    // The dispatcher logs internal errors with their stack; this one is expected, so keep the output clean.
    vi.stubEnv('APRON_LOG', 'silent');
    const reply = await dispatchApiCall(handlersThatThrow(new TypeError('x is undefined')), 'undo', { queueId: 'q1', reviewer: 'ann' });
    vi.unstubAllEnvs();
    expect(reply).toEqual({
      ok: false,
      error: { code: 'internal', message: 'x is undefined', hint: 'This is a bug in Apron; please report it with the log.' },
    });
  });
});
