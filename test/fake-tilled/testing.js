'use strict';

/**
 * For jest files that test the fake itself (test/fake-tilled*.test.js): one fake per file, and
 * a small HTTP client. Uses jest's globals, so only a test file may require it.
 */

const { startFakeTilled } = require('./server');

/**
 * Starts a fake before the file's tests, closes it after them, and checks after each test that
 * the fake built no invalid answer (internalErrors stays empty).
 * @param {import('./server').FakeTilledOptions} options
 * @param {(fake: Awaited<ReturnType<typeof startFakeTilled>>) => void} onStart hands the fake to the file
 */
function useFakeTilled(options, onStart) {
  /** @type {Awaited<ReturnType<typeof startFakeTilled>> | undefined} */
  let fake;
  beforeAll(async () => {
    fake = await startFakeTilled(options);
    onStart(fake);
  });
  afterAll(async () => {
    await fake?.close();
  });
  afterEach(() => {
    expect(fake?.internalErrors).toEqual([]);
  });
}

/**
 * One request to the fake; the answer's JSON is undefined when the body is not JSON.
 * @param {string} baseUrl
 * @param {Record<string, string>} auth headers sent unless opts.auth is false
 * @param {string} urlPath
 * @param {{ method?: string, json?: any, rawBody?: string, headers?: Record<string, string>, auth?: boolean }} [opts]
 */
async function callFake(baseUrl, auth, urlPath, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { ...(opts.auth === false ? {} : auth), ...(opts.headers || {}) };
  let body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = headers['content-type'] || 'application/json';
  } else if (opts.rawBody !== undefined) {
    body = opts.rawBody;
  }
  const res = await fetch(`${baseUrl}${urlPath}`, { method: opts.method || 'GET', headers, body });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

module.exports = { useFakeTilled, callFake };
