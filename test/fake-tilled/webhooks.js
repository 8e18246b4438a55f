'use strict';

/**
 * Webhook endpoints, events and signed deliveries of the fake Tilled server.
 *
 *   POST/GET /v1/webhook-endpoints, GET/DELETE /v1/webhook-endpoints/:id (the secret only in the
 *   create answer), GET /v1/events (types[], created_at_gte/lte, object_id, offset/limit, newest
 *   first), GET /v1/events/:id.
 *   fake.webhooks.pay(sessionId, faults?): the session becomes complete, its payment intent
 *   succeeded (made in payments.js, with its charge); a payment_intent.succeeded event is recorded and delivered, signed, to every
 *   endpoint that enabled it. A non-2xx answer is retried (`retries` times, `retryDelayMs` apart).
 *   Delivery faults: { twice, late (timestamp 10 min old), veryLate (4 days old), badSignature, otherAccount }.
 *   POST /_fake/checkout-sessions/:id/pay (no auth, for `npm start`) does the same.
 * Schema data: webhooks.schema.json.
 */

const crypto = require('node:crypto');
const { createValidators, formatErrors } = require('./schema');
const { randomId } = require('./store');

/** @type {any} */
const SCHEMA = require('./webhooks.schema.json');

const validator = createValidators(SCHEMA);

const ENDPOINTS = '/v1/webhook-endpoints';
const EVENTS = '/v1/events';
const ADMIN_PAY = /^\/_fake\/checkout-sessions\/([^/]+)\/pay$/;
const OTHER_ACCOUNT = 'acct_other_connected';

/** @param {string} secret @param {number} t @param {string} body */
function sign(secret, t, body) {
  return crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}

/** http(s) URL; plain http only to loopback. @param {string} text */
function endpointUrlProblem(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return 'url must be a URL address';
  }
  if (url.protocol === 'https:') return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\./.test(host))) return undefined;
  return 'url must be an https URL (plain http only on loopback)';
}

/**
 * @param {{ accountId: string, connected: Set<string>, store: import('./store').SessionStore,
 *   payments: ReturnType<typeof import('./payments').createPayments>,
 *   jsonReply: (status: number, json: any) => any, errorReply: (status: number, message?: string | string[]) => any,
 *   wait: (ms: number) => Promise<void> }} deps
 */
function createWebhooks(deps) {
  const { accountId, connected, store, payments, jsonReply, errorReply, wait } = deps;
  /** @type {Map<string, any>} id -> endpoint with its secret */
  const endpoints = new Map();
  /** @type {any[]} oldest first */
  const events = [];
  /** @type {{ eventId: string, endpointId: string, url: string, statuses: (number | string)[] }[]} */
  const deliveries = [];
  let lastT = 0;
  // timeoutMs: how long a delivery attempt waits for the answer before it counts as failed and
  // is retried (Tilled's own timeout is not published; senders commonly use about 10 s).
  const options = { retries: 3, retryDelayMs: 50, timeoutMs: 30_000 };

  /** Checked before sending: a wrong answer is the fake's bug. @param {string} def @param {any} json */
  function checked(def, json, status = 200) {
    const validate = validator(def);
    if (!validate(json)) throw new Error(`invalid ${def} response: ${formatErrors(validate.errors, def).join('; ')}`);
    return jsonReply(status, json);
  }

  const publicEndpoint = (/** @type {any} */ endpoint) => {
    const { secret, ...rest } = endpoint;
    return rest;
  };

  /** @param {any} query @param {string} def */
  function pageQuery(query, def) {
    const copy = structuredClone(query);
    // types[]=a&types[]=b arrives as { types: { '': [...] } }; types=a as a string.
    if (copy.types && typeof copy.types === 'object' && !Array.isArray(copy.types)) copy.types = copy.types[''];
    if (typeof copy.types === 'string') copy.types = [copy.types];
    const validate = validator(def, true);
    if (!validate(copy)) return { error: errorReply(400, formatErrors(validate.errors, 'query')) };
    const offset = copy.offset ?? 0;
    const limit = Math.min(copy.limit ?? 30, 100);
    return { query: copy, offset, limit };
  }

  /** @param {any[]} all newest first @param {number} offset @param {number} limit @param {string} def */
  function page(all, offset, limit, def) {
    const items = all.slice(offset, offset + limit);
    return checked(def, { items, has_more: offset + items.length < all.length, total: all.length, offset, limit });
  }

  /** @param {any} ctx @returns {any} */
  function createEndpoint(ctx) {
    if (ctx.body === undefined) return errorReply(400, 'Request body is not valid JSON');
    const validate = validator('WebhookEndpointCreateParams');
    if (!validate(ctx.body)) return errorReply(400, formatErrors(validate.errors, 'body'));
    const problem = endpointUrlProblem(ctx.body.url);
    if (problem) return errorReply(400, [problem]);
    const now = new Date().toISOString();
    const endpoint = {
      id: randomId('we_'),
      account_id: accountId,
      url: ctx.body.url,
      enabled_events: [...ctx.body.enabled_events],
      ...(ctx.body.description !== undefined ? { description: ctx.body.description } : {}),
      secret: crypto.randomBytes(24).toString('hex'),
      created_at: now,
      updated_at: now,
    };
    endpoints.set(endpoint.id, endpoint);
    return checked('WebhookEndpoint', endpoint, 201);
  }

  /** Routes the fake's webhook and event paths; undefined for other paths. @param {any} ctx */
  function route(ctx) {
    const { method, path } = ctx;
    if (path === ENDPOINTS) {
      if (method === 'POST') return { handler: () => createEndpoint(ctx) };
      if (method === 'GET') {
        return {
          handler: () => {
            const parsed = pageQuery(ctx.query, 'PageQuery');
            if (parsed.error) return parsed.error;
            const all = [...endpoints.values()].reverse().map(publicEndpoint);
            return page(all, parsed.offset, parsed.limit, 'WebhookEndpointList');
          },
        };
      }
      return { handler: undefined };
    }
    if (path.startsWith(`${ENDPOINTS}/`)) {
      const id = decodeURIComponent(path.slice(ENDPOINTS.length + 1));
      const found = endpoints.get(id);
      const missing = () => errorReply(404, `Webhook endpoint ${id} not found`);
      if (method === 'GET') return { handler: () => (found ? checked('WebhookEndpoint', publicEndpoint(found)) : missing()) };
      if (method === 'DELETE') {
        return {
          handler: () => {
            if (!found) return missing();
            endpoints.delete(id);
            return { status: 204, raw: '' };
          },
        };
      }
      return { handler: undefined };
    }
    if (path === EVENTS && method === 'GET') {
      return {
        handler: () => {
          if (ctx.queryErrors.length > 0) return errorReply(400, ctx.queryErrors);
          const parsed = pageQuery(ctx.query, 'EventListQuery');
          if (parsed.error) return parsed.error;
          const { types, created_at_gte: gte, created_at_lte: lte, object_id: objectId } = parsed.query;
          const gteMs = gte === undefined ? -Infinity : Date.parse(gte);
          const lteMs = lte === undefined ? Infinity : Date.parse(lte);
          const all = events
            .filter((event) => {
              // The partner's events and its connected accounts' (as webhooks deliver them).
              if (event.account_id !== accountId && !connected.has(event.account_id)) return false;
              const t = Date.parse(event.created_at);
              if (t < gteMs || t > lteMs) return false;
              if (types && !types.includes(event.type)) return false;
              return objectId === undefined || event.data.id === objectId;
            })
            .reverse();
          return page(all, parsed.offset, parsed.limit, 'EventList');
        },
      };
    }
    if (path.startsWith(`${EVENTS}/`) && method === 'GET') {
      const id = decodeURIComponent(path.slice(EVENTS.length + 1));
      return {
        handler: () => {
          const event = events.find((candidate) => candidate.id === id);
          return event ? checked('Event', event) : errorReply(404, `Event ${id} not found`);
        },
      };
    }
    const pay = ADMIN_PAY.exec(path);
    if (pay && method === 'POST') {
      return {
        admin: true,
        handler: () => {
          const id = decodeURIComponent(pay[1]);
          if (!store.get(id)) return errorReply(404, `Checkout session ${id} not found`);
          const { deliveries: started, ...event } = payNow(id, ctx.body && typeof ctx.body === 'object' ? ctx.body : {});
          return jsonReply(200, event);
        },
      };
    }
    return undefined;
  }

  /**
   * Records an event (created_at strictly increasing unless given) and returns it.
   * @param {{ type: string, data: any, account_id?: string, created_at?: string, id?: string }} partial
   */
  function recordEvent(partial) {
    let createdAt = partial.created_at;
    if (createdAt === undefined) {
      const now = Date.now();
      lastT = now > lastT ? now : lastT + 1;
      createdAt = new Date(lastT).toISOString();
    }
    const event = {
      id: partial.id ?? randomId('evt_'),
      account_id: partial.account_id ?? accountId,
      type: partial.type,
      data: partial.data,
      created_at: createdAt,
    };
    const validate = validator('Event');
    if (!validate(event)) throw new Error(`fake-tilled built an invalid Event: ${formatErrors(validate.errors, 'event').join('; ')}`);
    // Kept in created_at order, so lists are newest first whatever order events were recorded in.
    let at = events.length;
    while (at > 0 && Date.parse(events[at - 1].created_at) > Date.parse(event.created_at)) at--;
    events.splice(at, 0, event);
    return event;
  }

  /**
   * POSTs the event to one endpoint, signed, retrying non-2xx answers.
   * @param {any} endpoint @param {any} event
   * @param {{ late?: boolean, veryLate?: boolean, badSignature?: boolean }} faults
   */
  async function deliver(endpoint, event, faults) {
    const record = { eventId: event.id, endpointId: endpoint.id, url: endpoint.url, statuses: /** @type {(number|string)[]} */ ([]) };
    deliveries.push(record);
    const body = JSON.stringify(event);
    for (let attempt = 0; attempt <= options.retries; attempt++) {
      // late: 10 minutes old; veryLate: 4 days old (past any tolerance for retries).
      const t = faults.veryLate ? Date.now() - 4 * 24 * 60 * 60_000 : faults.late ? Date.now() - 10 * 60_000 : Date.now();
      const secret = faults.badSignature ? `${endpoint.secret}x` : endpoint.secret;
      try {
        const response = await fetch(endpoint.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'tilled-signature': `t=${t},v1=${sign(secret, t, body)}` },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        await response.arrayBuffer();
        record.statuses.push(response.status);
        if (response.ok) return record;
      } catch (error) {
        const failure = /** @type {any} */ (error);
        record.statuses.push(failure.name === 'TimeoutError' ? 'timeout' : failure.cause?.code || 'network error');
      }
      if (attempt < options.retries) await wait(options.retryDelayMs * 2 ** attempt);
    }
    return record;
  }

  /**
   * @param {any} event
   * @param {{ twice?: boolean, late?: boolean, veryLate?: boolean, badSignature?: boolean }} faults
   */
  async function deliverToAll(event, faults = {}) {
    const targets = [...endpoints.values()].filter(
      (endpoint) => endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(event.type),
    );
    const results = [];
    for (const endpoint of targets) {
      results.push(await deliver(endpoint, event, faults));
      if (faults.twice) results.push(await deliver(endpoint, event, faults));
    }
    return results;
  }

  /**
   * Pays a session now; resolves once every delivery (with its retries) is done.
   * @param {string} sessionId
   * @param {{ twice?: boolean, late?: boolean, veryLate?: boolean, badSignature?: boolean, otherAccount?: boolean }} [faults]
   */
  function payNow(sessionId, faults = {}) {
    const session = store.setStatus(sessionId, 'complete');
    const intent = payments.payFromSession(session);
    return publish(
      {
        type: 'payment_intent.succeeded',
        // The session's account (a connected account's session gives that account's event);
        // the otherAccount fault claims another account whatever the session's.
        account_id: faults.otherAccount ? OTHER_ACCOUNT : session.account_id,
        data: payments.views.intentView(intent),
      },
      faults,
    );
  }

  /**
   * Records an event and starts delivering it (settled() waits for the deliveries).
   * @param {{ type: string, data: any, account_id?: string }} partial
   * @param {{ twice?: boolean, late?: boolean, badSignature?: boolean }} [faults]
   */
  function publish(partial, faults = {}) {
    const event = recordEvent(partial);
    const delivered = deliverToAll(event, faults);
    pending.add(delivered);
    delivered.finally(() => pending.delete(delivered));
    return { ...event, deliveries: delivered };
  }

  /** @type {Set<Promise<any>>} */
  const pending = new Set();

  return {
    route,
    admin: {
      /** @param {string} sessionId @param {{ twice?: boolean, late?: boolean, veryLate?: boolean, badSignature?: boolean, otherAccount?: boolean }} [faults] */
      async pay(sessionId, faults) {
        const { deliveries: done, ...event } = payNow(sessionId, faults);
        return { event, deliveries: await done };
      },
      recordEvent,
      /** Records an event and delivers it (what payments.js does where Tilled sends one). */
      publish: (/** @type {{ type: string, data: any, account_id?: string }} */ partial) => publish(partial).deliveries,
      deliver: deliverToAll,
      /** Endpoints with their secrets (what a test may know that n8n learnt at creation). */
      endpoints: () => [...endpoints.values()].map((endpoint) => ({ ...endpoint })),
      events: () => events.map((event) => ({ ...event })),
      deliveries,
      /** @param {{ retries?: number, retryDelayMs?: number, timeoutMs?: number }} next */
      setDeliveryOptions: (next) => Object.assign(options, next),
      /** Waits for deliveries started by the HTTP pay action. */
      settled: () => Promise.all([...pending]),
      reset() {
        endpoints.clear();
        events.length = 0;
        deliveries.length = 0;
      },
    },
  };
}

module.exports = { createWebhooks, sign, OTHER_ACCOUNT };
