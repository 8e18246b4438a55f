'use strict';

/**
 * Fake Tilled API (checkout sessions, API v1) for tests, end-to-end runs, `npm start` and
 * benchmarks. Loopback only. See README.md in this folder.
 *
 *   const { startFakeTilled } = require('./test/fake-tilled/server');
 *   const fake = await startFakeTilled({ apiKey: 'sk_test_fake', accountId: 'acct_fake' });
 *   ... fetch(`${fake.url}/v1/checkout-sessions`, { headers: { 'tilled-api-key': ..., ... } })
 *   await fake.close();
 *
 * CLI: node test/fake-tilled/server.js [--port N] [--host H] [--api-key K] [--account-id A]
 *      [--connected-accounts A1,A2] [--latency MS] [--rate-limit N] [--seed N] [--public-base-url URL]
 * prints one JSON line {"url","apiKey","accountId"} on stdout once listening.
 */

const http = require('node:http');
const crypto = require('node:crypto');
const { SessionStore } = require('./store');
const { FaultInjector, tilledError } = require('./faults');
const { getValidator, formatErrors, DEFS } = require('./schema');
const { createWebhooks, OTHER_ACCOUNT } = require('./webhooks');
const { createPayments } = require('./payments');
const { createResources } = require('./resources');

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 100;
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * @typedef {import('./faults').Reply} Reply
 * @typedef {import('./faults').Fault} Fault
 * @typedef {import('./store').CheckoutSession} CheckoutSession
 * @typedef {{ method: string, path: string, query: Record<string, any>, rawQuery: string,
 *   headers: Record<string, string | string[] | undefined>, body: any, rawBody: string,
 *   status: number | undefined, requestId: string, fault?: string }} RecordedRequest
 * @typedef {{ port?: number, host?: string, apiKey?: string, accountId?: string,
 *   connectedAccounts?: string[], latencyMs?: number, publicBaseUrl?: string, recordRequests?: boolean,
 *   validateResponses?: boolean, rateLimit?: number }} FakeTilledOptions
 */

/** @param {string} host */
function isLoopback(host) {
  if (host === 'localhost' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return Boolean(m && m.slice(1).every((part) => Number(part) <= 255));
}

/** @param {unknown} value @param {string} name */
function assertNonNegativeNumber(value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`startFakeTilled: ${name} must be a finite number >= 0`);
  }
}

/** Defines an own property even for names like __proto__. @param {any} obj @param {string} key @param {any} value */
function setOwn(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** @param {string} text */
function decodeQueryComponent(text) {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/**
 * Parses a query string; `metadata[k]=v` (deepObject) becomes { metadata: { k: v } }, a repeated
 * name becomes an array of its values.
 * @param {string} rawQuery without the leading '?'
 * @returns {{ query: Record<string, any>, errors: string[] }}
 */
function parseQuery(rawQuery) {
  /** @type {Record<string, any>} */
  const query = {};
  /** @type {string[]} */
  const errors = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    let key;
    let value;
    try {
      key = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
      value = eq < 0 ? '' : decodeQueryComponent(part.slice(eq + 1));
    } catch {
      errors.push(`query parameter ${JSON.stringify(part.slice(0, 60))} is not correctly URL-encoded`);
      continue;
    }
    const deep = /^([^[\]]+)\[([^[\]]*)\]$/.exec(key);
    if (deep) {
      const [, name, sub] = deep;
      let container = Object.prototype.hasOwnProperty.call(query, name) ? query[name] : undefined;
      if (container === undefined) {
        container = {};
        setOwn(query, name, container);
      } else if (typeof container !== 'object' || Array.isArray(container)) {
        errors.push(`query parameter ${name} is given both as a value and as an object`);
        continue;
      }
      addValue(container, sub, value);
    } else {
      const existing = Object.prototype.hasOwnProperty.call(query, key) ? query[key] : undefined;
      if (existing !== undefined && typeof existing === 'object' && !Array.isArray(existing)) {
        errors.push(`query parameter ${key} is given both as a value and as an object`);
        continue;
      }
      addValue(query, key, value);
    }
  }
  return { query, errors };
}

/** @param {Record<string, any>} target @param {string} key @param {string} value */
function addValue(target, key, value) {
  if (!Object.prototype.hasOwnProperty.call(target, key)) setOwn(target, key, value);
  else if (Array.isArray(target[key])) target[key].push(value);
  else setOwn(target, key, [target[key], value]);
}

/** @param {string} a @param {string} b constant-time string equality */
function safeEqual(a, b) {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** @param {string} s */
function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** @param {number} status @param {any} json @param {Record<string,string>} [headers] @returns {Reply} */
function jsonReply(status, json, headers) {
  return { status, json, headers };
}

/** @param {number} status @param {string | string[]} [message] @returns {Reply} */
function errorReply(status, message) {
  return jsonReply(status, tilledError(status, message));
}

/**
 * Starts the fake Tilled API.
 * @param {FakeTilledOptions} [options]
 */
async function startFakeTilled(options = {}) {
  const {
    port = 0,
    host = '127.0.0.1',
    apiKey = 'sk_test_fake',
    accountId = 'acct_fake',
    // The key's account is a partner account; these merchant accounts are connected to it.
    connectedAccounts = [OTHER_ACCOUNT],
    latencyMs = 0,
    publicBaseUrl,
    recordRequests = true,
    validateResponses = true,
    rateLimit,
  } = options;
  if (typeof host !== 'string' || !isLoopback(host)) {
    throw new Error(`fake-tilled listens on loopback only; refusing host ${JSON.stringify(host)}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('startFakeTilled: port must be 0..65535');
  if (typeof apiKey !== 'string' || !apiKey) throw new TypeError('startFakeTilled: apiKey must be a non-empty string');
  if (typeof accountId !== 'string' || !accountId) throw new TypeError('startFakeTilled: accountId must be a non-empty string');
  if (!Array.isArray(connectedAccounts) || !connectedAccounts.every((id) => typeof id === 'string' && id !== '' && id !== accountId)) {
    throw new TypeError('startFakeTilled: connectedAccounts must be account ids other than accountId');
  }
  const connected = new Set(connectedAccounts);
  assertNonNegativeNumber(latencyMs, 'latencyMs');

  let latency = latencyMs;
  /** @type {number | undefined} requests per rolling second on /v1/checkout-sessions; beyond: 429 */
  let rateLimitPerSecond;
  /** Arrival times of the requests the rate limit let through in the last second. */
  const admitted = [];
  let rateLimitedCount = 0;
  let closed = false;
  let baseUrl = '';
  const checkoutBase = () => (publicBaseUrl ? publicBaseUrl.replace(/\/+$/, '') : baseUrl);
  const store = new SessionStore({ accountId, checkoutUrl: (id) => `${checkoutBase()}/checkout/${id}` });
  const faults = new FaultInjector();
  // wait is a function declaration below (hoisted).
  // Events of payments are recorded and delivered by webhooks (declared on the next line, used later).
  const payments = createPayments({ accountId, emit: (type, account, data) => webhooks.admin.publish({ type, account_id: account, data }) });
  const webhooks = createWebhooks({ accountId, connected, store, payments, jsonReply, errorReply, wait });
  const resources = createResources({ accountId, connected, payments, jsonReply, errorReply });
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {Error[]} */
  const internalErrors = [];
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  /** @type {Set<() => void>} waiting timers and hangs, released on close */
  const waiters = new Set();

  /** @param {number} ms */
  function wait(ms) {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        waiters.delete(release);
        resolve(undefined);
      };
      const timer = ms === Infinity ? undefined : setTimeout(release, ms);
      waiters.add(release);
    });
  }

  /** @param {Error} error */
  function internalError(error) {
    internalErrors.push(error);
    process.stderr.write(`[fake-tilled] internal error: ${error.message}\n`);
    return errorReply(500, `fake-tilled internal error: ${error.message}`);
  }

  /**
   * The rate limit as a gateway applies it: at most N requests in any rolling second; beyond,
   * 429 with Retry-After (whole seconds until a slot frees up). Refused requests do not count.
   * @param {string} path @returns {Reply | undefined}
   */
  function rateLimitReply(path) {
    if (rateLimitPerSecond === undefined || !path.startsWith('/v1/checkout-sessions')) return undefined;
    const now = Date.now();
    while (admitted.length > 0 && admitted[0] <= now - 1000) admitted.shift();
    if (admitted.length < rateLimitPerSecond) {
      admitted.push(now);
      return undefined;
    }
    rateLimitedCount += 1;
    const seconds = Math.max(1, Math.ceil((admitted[0] + 1000 - now) / 1000));
    return { status: 429, headers: { 'retry-after': String(seconds) }, json: tilledError(429, 'Too many requests') };
  }

  // ---- authentication -------------------------------------------------------------------

  /**
   * The account a request acts for, or the error. The key acts for its own account; with
   * `connected`, also for an account connected to it (named in tilled-account).
   * @param {Record<string, any>} headers @param {{ connected?: boolean }} [scope]
   * @returns {{ account: string } | { reply: Reply }}
   */
  function authenticate(headers, scope = {}) {
    const key = headers['tilled-api-key'];
    if (typeof key !== 'string' || !safeEqual(key, apiKey)) return { reply: errorReply(401, 'Unauthorized') };
    const validate = getValidator(DEFS.headers);
    if (!validate(headers)) {
      const missing = (validate.errors || []).map((e) => e.params.missingProperty || e.instancePath.slice(1));
      return { reply: errorReply(400, `${missing[0]} header is required`) };
    }
    const account = headers['tilled-account'];
    if (account === accountId || (scope.connected && connected.has(account))) return { account };
    return { reply: errorReply(403, 'Forbidden resource') };
  }

  // ---- checkout-session operations ------------------------------------------------------

  /** @param {import('./faults').FaultContext} ctx @param {string} account @returns {Reply} */
  function createSession(ctx, account) {
    const contentType = String(ctx.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/json') {
      return errorReply(400, 'Content-Type must be application/json');
    }
    if (ctx.rawBody.trim() === '') return errorReply(400, 'A JSON request body is required');
    if (ctx.body === undefined) return errorReply(400, 'Request body is not valid JSON');
    const validate = getValidator(DEFS.createParams);
    if (!validate(ctx.body)) return errorReply(400, formatErrors(validate.errors, 'body'));
    const currencies = [...new Set(ctx.body.line_items.map((/** @type {any} */ item) => item.price_data.currency))];
    if (currencies.length > 1) {
      return errorReply(400, [`line_items must all use the same currency; found ${currencies.join(', ')}`]);
    }
    return jsonReply(201, store.create(ctx.body, account));
  }

  /** Another account's session is not found, as if it did not exist. @param {string} id @param {string} account @returns {Reply} */
  function getSession(id, account) {
    const session = store.get(id);
    if (!session || session.account_id !== account) return errorReply(404, `Checkout session ${id} not found`);
    return jsonReply(200, session);
  }

  /** @param {import('./faults').FaultContext} ctx @param {string} id @param {string} account @returns {Reply} */
  function expireSession(ctx, id, account) {
    if (ctx.rawBody.trim() !== '') {
      if (ctx.body === undefined) return errorReply(400, 'Request body is not valid JSON');
      if (ctx.body === null || typeof ctx.body !== 'object' || Array.isArray(ctx.body)) {
        return errorReply(400, ['body must be an empty object']);
      }
      const extra = Object.keys(ctx.body);
      if (extra.length > 0) return errorReply(400, extra.map((k) => `property ${k} should not exist`));
    }
    const result = store.expire(id, account);
    if ('notFound' in result) return errorReply(404, `Checkout session ${id} not found`);
    if ('status' in result) {
      return errorReply(400, `Checkout session ${id} cannot be expired because its status is ${result.status}`);
    }
    return jsonReply(201, result.session);
  }

  /** @param {import('./faults').FaultContext & { queryErrors: string[] }} ctx @param {string} account @returns {Reply} */
  function listSessions(ctx, account) {
    if (ctx.queryErrors.length > 0) return errorReply(400, ctx.queryErrors);
    const query = structuredClone(ctx.query);
    const validate = getValidator(DEFS.listQuery);
    if (!validate(query)) return errorReply(400, formatErrors(validate.errors, 'query'));
    const offset = query.offset === undefined ? 0 : query.offset;
    const limit = Math.min(query.limit === undefined ? DEFAULT_LIMIT : query.limit, MAX_LIMIT);
    const { items, total } = store.list(
      { metadata: query.metadata, payment_intent_id: query.payment_intent_id, customer_id: query.customer_id },
      offset,
      limit,
      account,
    );
    return jsonReply(200, { items, has_more: offset + items.length < total, total, offset, limit });
  }

  /** A tiny hosted-checkout stand-in so session urls open in a browser. @param {string} id @returns {Reply} */
  function checkoutPage(id) {
    const session = store.get(id);
    const html = (/** @type {string} */ title, /** @type {string} */ text) =>
      `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
    if (!session) {
      return { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' }, raw: html('Not found', `No checkout session ${id}`) };
    }
    const amount = `${session.amount_total} ${session.currency.toUpperCase()} (minor units)`;
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      raw: html('Fake Tilled checkout', `Session ${session.id}: ${session.status}, ${amount}`),
    };
  }

  // ---- routing --------------------------------------------------------------------------

  const SESSIONS = '/v1/checkout-sessions';

  /** @param {import('./faults').FaultContext & { queryErrors: string[] }} ctx @returns {Reply} */
  function route(ctx) {
    const { method, path } = ctx;
    const notFound = () => errorReply(404, `Cannot ${method} ${path}`);

    if (path === '/v1/health') return method === 'GET' ? jsonReply(200, { status: 'ok' }) : notFound();

    if (path.startsWith('/checkout/')) {
      const id = decodePathSegment(path.slice('/checkout/'.length));
      return method === 'GET' && id && !id.includes('/') ? checkoutPage(id) : notFound();
    }

    const webhookRoute = webhooks.route(ctx);
    if (webhookRoute) {
      if (!webhookRoute.handler) return notFound();
      // Webhook and event answers are checked against webhooks.schema.json where they are built.
      const auth = webhookRoute.admin ? undefined : authenticate(ctx.headers);
      const reply = auth && 'reply' in auth ? auth.reply : webhookRoute.handler();
      return { ...reply, selfChecked: true };
    }

    // Payment intents, refunds, customers…: answers checked against resources.schema.json where built.
    const resourceRoute = resources.route(ctx);
    if (resourceRoute) {
      if (!resourceRoute.handler) return notFound();
      const auth = resourceRoute.admin ? undefined : authenticate(ctx.headers, { connected: true });
      const reply = auth && 'reply' in auth ? auth.reply : resourceRoute.handler(auth?.account);
      return { ...reply, selfChecked: true };
    }

    if (path !== SESSIONS && !path.startsWith(`${SESSIONS}/`)) return notFound();

    /** @type {((account: string) => Reply) | undefined} */
    let handler;
    if (path === SESSIONS) {
      if (method === 'POST') handler = (account) => createSession(ctx, account);
      else if (method === 'GET') handler = (account) => listSessions(ctx, account);
    } else {
      const rest = path.slice(SESSIONS.length + 1).split('/');
      const id = decodePathSegment(rest[0]);
      if (id) {
        if (rest.length === 1 && method === 'GET') handler = (account) => getSession(id, account);
        else if (rest.length === 2 && rest[1] === 'expire' && method === 'POST') handler = (account) => expireSession(ctx, id, account);
      }
    }
    if (!handler) return notFound();
    // A partner's key acts on its connected accounts' checkout sessions with their tilled-account.
    const auth = authenticate(ctx.headers, { connected: true });
    return 'reply' in auth ? auth.reply : handler(auth.account);
  }

  /** @template V @param {import('./collection').Collection<any>} collection @param {string} id @param {(record: any) => V} view */
  function viewOf(collection, id, view) {
    const record = collection.get(id);
    return record ? view(record) : undefined;
  }

  /** @param {string} segment @returns {string | undefined} */
  function decodePathSegment(segment) {
    try {
      return decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  }

  /** Validates what the fake sends: a wrong response is the fake's bug. @param {Reply} reply */
  function checkReply(reply) {
    if (!validateResponses || !('json' in reply) || reply.status >= 300 || /** @type {any} */ (reply).selfChecked) return reply;
    const json = reply.json;
    const isList = json && Array.isArray(json.items);
    const validate = getValidator(isList ? DEFS.list : DEFS.session);
    if (validate(json)) return reply;
    const messages = formatErrors(validate.errors, isList ? 'list' : 'session');
    return internalError(new Error(`invalid ${isList ? 'list' : 'CheckoutSession'} response: ${messages.join('; ')}`));
  }

  // ---- HTTP plumbing --------------------------------------------------------------------

  /**
   * @param {http.IncomingMessage} req
   * @returns {Promise<{ text: string, tooLarge: boolean } | undefined>} undefined when aborted
   */
  function readBody(req) {
    return new Promise((resolve) => {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (/** @type {Buffer} */ chunk) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) tooLarge = true;
        else chunks.push(chunk);
      });
      req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge }));
      req.on('error', () => resolve(undefined));
      req.on('aborted', () => resolve(undefined));
    });
  }

  /**
   * @param {http.ServerResponse} res
   * @param {string} requestId
   * @param {Reply} reply
   * @returns {number | undefined} the status sent
   */
  function writeReply(res, requestId, reply) {
    if (closed || res.destroyed || res.headersSent) return undefined;
    if ('destroy' in reply) {
      res.socket?.destroy();
      return undefined;
    }
    if ('hang' in reply) return undefined;
    /** @type {Record<string, string>} */
    const headers = {};
    for (const [name, value] of Object.entries(reply.headers || {})) headers[name.toLowerCase()] = String(value);
    headers['request-id'] = requestId;
    let payload;
    if ('json' in reply) {
      payload = Buffer.from(JSON.stringify(reply.json));
      if (!headers['content-type']) headers['content-type'] = JSON_TYPE;
    } else {
      payload = Buffer.isBuffer(reply.raw) ? reply.raw : Buffer.from(String(reply.raw));
    }
    headers['content-length'] = String(payload.length);
    res.writeHead(reply.status, headers);
    res.end(payload);
    return reply.status;
  }

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  async function handle(req, res) {
    const requestId = `req_${crypto.randomUUID()}`;
    const method = String(req.method || 'GET').toUpperCase();
    const rawUrl = req.url || '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const { query, errors: queryErrors } = parseQuery(rawQuery);
    const bodyResult = await readBody(req);
    if (!bodyResult) return;
    const rawBody = bodyResult.text;
    let body;
    if (rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
    }
    /** @type {RecordedRequest} */
    const record = {
      method,
      path,
      query,
      rawQuery,
      headers: { ...req.headers },
      body,
      rawBody,
      status: undefined,
      requestId,
    };
    if (recordRequests) requests.push(record);

    const ctx = { method, path, query, rawQuery, headers: record.headers, body, rawBody, requestId, queryErrors };
    const proceed = async () => {
      try {
        if (bodyResult.tooLarge) return errorReply(413, 'request entity too large');
        return checkReply(route(ctx));
      } catch (error) {
        return internalError(/** @type {Error} */ (error));
      }
    };

    /** @type {Reply} */
    let reply;
    const limited = rateLimitReply(path);
    const fault = limited ? undefined : faults.take(method, path);
    if (limited) {
      reply = limited;
    } else if (fault) {
      record.fault = fault.kind;
      try {
        reply = await faults.run(fault, ctx, proceed);
      } catch (error) {
        reply = internalError(/** @type {Error} */ (error));
      }
    } else {
      reply = await proceed();
    }
    if (latency > 0 && !('hang' in reply)) await wait(latency);
    if ('hang' in reply) await wait(Infinity);
    record.status = writeReply(res, requestId, reply);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      internalErrors.push(error);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': JSON_TYPE });
        res.end(JSON.stringify(tilledError(500)));
      }
    });
  });
  let connectionsOpened = 0;
  server.on('connection', (socket) => {
    connectionsOpened += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const urlHost = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  baseUrl = `http://${urlHost}:${address.port}`;

  /** @type {Promise<void> | undefined} */
  let closing;
  const fake = {
    /** e.g. http://127.0.0.1:PORT */
    url: baseUrl,
    port: address.port,
    apiKey,
    accountId,
    /** Accounts connected to accountId (a partner account): its key may act for them. */
    connectedAccounts: [...connected],
    /** Recorded requests, oldest first (a live array, emptied in place by clearRequests). */
    requests,
    clearRequests() {
      requests.length = 0;
    },
    /** TCP connections accepted since start (a client that keeps connections alive opens few). */
    connectionsOpened: () => connectionsOpened,
    /** Errors of the fake itself (invalid response built, handler crash); should stay empty. */
    internalErrors,
    sessions: {
      sessionCount: () => store.count(),
      /** @param {string} id */
      getSession: (id) => store.get(id),
      listSessions: () => store.all(),
      /** @param {number} n @param {Partial<CheckoutSession> | ((i: number) => Partial<CheckoutSession> | undefined)} [overrides] */
      seedSessions: (n, overrides) => store.seed(n, overrides),
      /** @param {string} id @param {'open'|'complete'|'expired'} status */
      setStatus: (id, status) => store.setStatus(id, status),
      /** @param {string} id @param {Partial<CheckoutSession>} patch */
      updateSession: (id, patch) => store.update(id, patch),
      reset: () => store.reset(),
    },
    /** Webhook endpoints, events, pay and signed deliveries (see webhooks.js). */
    webhooks: webhooks.admin,
    /**
     * Payment intents, charges, refunds, customers, balance transactions, payouts and disputes
     * (payments.js), as Tilled would send them. The admin actions check their parameters and
     * throw a refusal (`status`, `message`) where the HTTP action would answer an error.
     */
    payments: {
      ...resources.admin,
      /** @param {string} id */
      paymentIntent: (id) => viewOf(payments.intents, id, payments.views.intentView),
      /** @param {string} id */
      charge: (id) => viewOf(payments.charges, id, payments.views.chargeView),
      /** @param {string} id */
      refund: (id) => viewOf(payments.refunds, id, payments.views.refundView),
      /** Refunds made, newest first; of one payment intent when given. @param {string} [paymentIntentId] */
      refunds: (paymentIntentId) =>
        payments.refunds.all((r) => paymentIntentId === undefined || r.payment_intent_id === paymentIntentId).map(payments.views.refundView),
      /** How many refunds a payment intent has (a duplicated refund shows as 2). @param {string} paymentIntentId */
      refundCount: (paymentIntentId) => payments.refunds.all((r) => r.payment_intent_id === paymentIntentId).length,
      /** Refunds per payment intent id, for a storm's count of duplicates. @returns {Record<string, number>} */
      refundCounts: () => {
        /** @type {Record<string, number>} */
        const counts = {};
        for (const r of payments.refunds.records) counts[r.payment_intent_id] = (counts[r.payment_intent_id] ?? 0) + 1;
        return counts;
      },
      /** @param {any} [params] CustomerCreateParams @param {string} [account] */
      createCustomer: (params = {}, account = accountId) => payments.views.customerView(payments.createCustomer(account, params)),
      /** @param {string} id */
      customer: (id) => viewOf(payments.customers, id, payments.views.customerView),
      /** Balance transactions, newest first. */
      balanceTransactions: () => payments.balance.all().map(payments.views.balanceView),
      /** @param {string} id */
      payout: (id) => viewOf(payments.payouts, id, (p) => payments.views.payoutView(p)),
      /** @param {string} id */
      dispute: (id) => viewOf(payments.disputes, id, payments.views.disputeView),
      reset: () => payments.reset(),
    },
    /** @param {number} ms */
    setLatency(ms) {
      assertNonNegativeNumber(ms, 'latency');
      latency = ms;
    },
    /** Allows `perSecond` requests per rolling second (429 with Retry-After beyond); undefined: no limit. @param {number | undefined} perSecond */
    setRateLimit(perSecond) {
      if (perSecond !== undefined && !(Number.isInteger(perSecond) && perSecond >= 1)) {
        throw new TypeError('setRateLimit: perSecond must be a whole number >= 1, or undefined');
      }
      rateLimitPerSecond = perSecond;
      admitted.length = 0;
    },
    /** Requests refused by the rate limit since start. */
    rateLimited: () => rateLimitedCount,
    /** @param {Fault} fault */
    injectFault: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    /** How many faults of each kind were applied since start. */
    faultsInjected: () => ({ ...faults.injected }),
    /** Stops listening, drops open connections, releases delayed replies. */
    close() {
      if (!closing) {
        closed = true;
        closing = new Promise((resolve) => {
          server.close(() => resolve());
          for (const release of [...waiters]) release();
          for (const socket of sockets) socket.destroy();
          server.closeAllConnections?.();
        });
      }
      return closing;
    },
  };
  if (rateLimit !== undefined) fake.setRateLimit(rateLimit);
  return fake;
}

// ---- CLI ----------------------------------------------------------------------------------

/** @param {string[]} argv */
function parseCliArgs(argv) {
  /** @type {FakeTilledOptions & { seed: number }} */
  const options = { seed: 0, recordRequests: false };
  /** @type {Record<string, (v: string) => void>} */
  const setters = {
    '--port': (v) => (options.port = cliInt(v, '--port')),
    '--host': (v) => (options.host = v),
    '--api-key': (v) => (options.apiKey = v),
    '--account-id': (v) => (options.accountId = v),
    '--connected-accounts': (v) => (options.connectedAccounts = v.split(',').filter(Boolean)),
    '--latency': (v) => (options.latencyMs = cliInt(v, '--latency')),
    '--rate-limit': (v) => (options.rateLimit = cliInt(v, '--rate-limit')),
    '--seed': (v) => (options.seed = cliInt(v, '--seed')),
    '--public-base-url': (v) => (options.publicBaseUrl = v),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const setter = setters[name];
    if (!setter) throw new Error(`unknown option ${name}; known: ${Object.keys(setters).join(' ')}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    setter(value);
  }
  return options;
}

/** @param {string} v @param {string} name */
function cliInt(v, name) {
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer`);
  return Number(v);
}

async function main() {
  let options;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fake-tilled: ${/** @type {Error} */ (error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const { seed, ...startOptions } = options;
  const fake = await startFakeTilled(startOptions);
  if (seed > 0) fake.sessions.seedSessions(seed);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    fake.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ url: fake.url, apiKey: fake.apiKey, accountId: fake.accountId })}\n`);
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`fake-tilled: ${error && error.message ? error.message : error}\n`);
    process.exit(1);
  });
}

module.exports = { startFakeTilled, parseQuery, isLoopback };
