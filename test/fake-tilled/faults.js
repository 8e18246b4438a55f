'use strict';

/**
 * Fault injection for the fake Tilled server: the one place that knows fault kinds.
 *
 * A fault: { match: { method?, path? (string: exact path without query, or RegExp) },
 *            times = 1 (Infinity allowed), skip = 0 (matching requests let through first),
 *            probability? (0..1, seeded by `seed`), kind, ...kind-specific fields }.
 * Kinds: status, reset-before, reset-after, hang (afterStore?), truncated, html, call (run()),
 * decide (run(ctx) returns the Reply for this request, or undefined to let it through),
 * list (mode: a list that does not advance, repeats or shrinks).
 * The oldest active fault matching a request is used and its `times` counted down.
 *
 * To add a kind, add an entry to FAULT_KINDS: `check(fault)` throws on bad options, and
 * `run(fault, ctx, proceed)` returns the Reply to send. `proceed()` runs the normal handling
 * (auth, validation, store changes) and resolves to the Reply it would have sent, so a kind can
 * act before the store is touched (do not call proceed), after it (call it, then change or drop
 * the reply), or replace the reply entirely.
 *
 * Reply shapes the server knows how to send (see writeReply in server.js):
 *   { status, headers?, json }        JSON body (content-type application/json)
 *   { status, headers?, raw }         string/Buffer body as is (set content-type in headers)
 *   { destroy: true }                 drop the connection without answering (socket reset)
 *   { hang: true }                    never answer (released when the server closes)
 * Latency (setLatency) is applied before any reply is sent.
 *
 * Examples of kinds to add here: reset before/after store ({ destroy: true } without / after
 * proceed()), hang ({ hang: true }), malformed JSON ({ status: 200, raw: '{"id":', headers:
 * { 'content-type': 'application/json' } }), an HTML error page from a proxy ({ status: 502,
 * raw: '<html>…', headers: { 'content-type': 'text/html' } }).
 */

const http = require('node:http');

/**
 * @typedef {{ status: number, headers?: Record<string, string>, json: any }
 *   | { status: number, headers?: Record<string, string>, raw: string | Buffer }
 *   | { destroy: true } | { hang: true }} Reply
 * @typedef {{ method: string, path: string, query: any, headers: Record<string, any>,
 *   body: any, rawBody: string, requestId: string }} FaultContext
 * @typedef {{ method?: string, path?: string | RegExp }} FaultMatch
 * @typedef {{ match?: FaultMatch, times?: number, kind: string, [option: string]: any }} Fault
 * @typedef {{ id: number, fault: Fault, remaining: number, skip: number, random: () => number }} ActiveFault
 */

/**
 * Tilled's error body for a status.
 * @param {number} status
 * @param {string | string[]} [message]
 */
function tilledError(status, message) {
  const reason = http.STATUS_CODES[status] || 'Error';
  return { statusCode: status, message: message === undefined ? reason : message, error: reason };
}

/**
 * @type {Record<string, { check(fault: Fault): void,
 *   run(fault: Fault, ctx: FaultContext, proceed: () => Promise<Reply>): Reply | Promise<Reply> }>}
 */
const FAULT_KINDS = {
  /** Drop the connection before the request is handled: nothing was stored. */
  'reset-before': {
    check() {},
    run() {
      return { destroy: true };
    },
  },
  /** Handle the request (a create is stored), then drop the connection instead of answering. */
  'reset-after': {
    check() {},
    async run(fault, ctx, proceed) {
      await proceed();
      return { destroy: true };
    },
  },
  /** Never answer; with `afterStore: true` the request is handled (stored) first. */
  hang: {
    check() {},
    async run(fault, ctx, proceed) {
      if (fault.afterStore) await proceed();
      return { hang: true };
    },
  },
  /** Handle the request, then send its answer cut in half: the status is right, the JSON is not. */
  truncated: {
    check() {},
    async run(fault, ctx, proceed) {
      const reply = await proceed();
      if (!('json' in reply)) return reply;
      const text = JSON.stringify(reply.json);
      return {
        status: reply.status,
        headers: { ...(reply.headers || {}), 'content-type': 'application/json; charset=utf-8' },
        raw: text.slice(0, Math.max(1, Math.floor(text.length / 2))),
      };
    },
  },
  /** Runs `fault.run()` (a test's own change to the store, say) and then handles the request as usual. */
  call: {
    check(fault) {
      if (typeof fault.run !== 'function') throw new TypeError('fault kind "call" needs a run() function');
    },
    async run(fault, ctx, proceed) {
      await fault.run(ctx);
      return proceed();
    },
  },
  /** run(ctx) picks the requests to fail (e.g. by query): a Reply to send, or undefined to proceed. */
  decide: {
    check(fault) {
      if (typeof fault.run !== 'function') throw new TypeError('fault kind "decide" needs a run() function');
    },
    async run(fault, ctx, proceed) {
      return (await fault.run(ctx)) ?? proceed();
    },
  },
  /** A proxy's HTML error page (default 502) before the request reaches Tilled. */
  html: {
    check(fault) {
      if (fault.status !== undefined && (!Number.isInteger(fault.status) || fault.status < 400)) {
        throw new TypeError('fault kind "html" needs an error status');
      }
    },
    run(fault) {
      const status = fault.status || 502;
      return {
        status,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        raw: `<html><head><title>${status} ${http.STATUS_CODES[status]}</title></head><body><center><h1>${status} ${http.STATUS_CODES[status]}</h1></center><hr><center>nginx</center></body></html>`,
      };
    },
  },
  /**
   * A list that misbehaves as a broken proxy or mock would. `mode`:
   *   ignore-offset  serves offset 0 whatever was asked, and says has_more: true;
   *   always-more    serves the asked page, but always says has_more: true;
   *   repeat         serves the page before the asked one (offset − limit) again;
   *   shrink         the list lost `by` sessions (default 10): fewer items, a smaller total.
   * The recorded request keeps the query that was really sent.
   */
  list: {
    check(fault) {
      if (!['ignore-offset', 'always-more', 'repeat', 'shrink'].includes(fault.mode)) {
        throw new TypeError('fault kind "list" needs mode ignore-offset, always-more, repeat or shrink');
      }
    },
    async run(fault, ctx, proceed) {
      const offset = Number(ctx.query.offset || 0);
      const limit = Number(ctx.query.limit || 30);
      if (fault.mode === 'ignore-offset') ctx.query = { ...ctx.query, offset: '0' };
      if (fault.mode === 'repeat') ctx.query = { ...ctx.query, offset: String(Math.max(0, offset - limit)) };
      const reply = await proceed();
      if (!('json' in reply) || reply.status !== 200 || !Array.isArray(reply.json.items)) return reply;
      const json = { ...reply.json };
      if (fault.mode === 'ignore-offset' || fault.mode === 'always-more') json.has_more = true;
      if (fault.mode === 'shrink') {
        const by = fault.by === undefined ? 10 : fault.by;
        json.items = json.items.slice(0, Math.max(0, json.items.length - by));
        json.total = Math.max(0, json.total - by);
        json.has_more = json.offset + json.items.length < json.total;
      }
      return { ...reply, json };
    },
  },
  /** Answer `status` with Tilled's error shape, or with `body` (object: JSON; string: raw). */
  status: {
    check(fault) {
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) {
        throw new TypeError('fault kind "status" needs an integer status 100..599');
      }
    },
    run(fault) {
      const headers = fault.headers ? { ...fault.headers } : undefined;
      if (typeof fault.body === 'string' || Buffer.isBuffer(fault.body)) {
        return { status: fault.status, headers, raw: fault.body };
      }
      return {
        status: fault.status,
        headers,
        json: fault.body === undefined ? tilledError(fault.status) : fault.body,
      };
    },
  },
};

class FaultInjector {
  constructor() {
    /** @type {ActiveFault[]} */
    this.active = [];
    this.nextId = 1;
    /** How many times each kind was applied, for reports. @type {Record<string, number>} */
    this.injected = {};
  }

  /**
   * @param {Fault} fault
   * @returns {{ id: number, kind: string, readonly remaining: number }}
   */
  inject(fault) {
    if (!fault || typeof fault !== 'object') throw new TypeError('injectFault(fault): fault must be an object');
    const kind = FAULT_KINDS[fault.kind];
    if (!kind) {
      throw new TypeError(`injectFault: unknown kind ${JSON.stringify(fault.kind)}; known: ${Object.keys(FAULT_KINDS).join(', ')}`);
    }
    const times = fault.times === undefined ? 1 : fault.times;
    if (!(times === Infinity || (Number.isInteger(times) && times >= 1))) {
      throw new TypeError('injectFault: times must be an integer >= 1 or Infinity');
    }
    const match = fault.match || {};
    if (match.path !== undefined && typeof match.path !== 'string' && !(match.path instanceof RegExp)) {
      throw new TypeError('injectFault: match.path must be a string or a RegExp');
    }
    kind.check(fault);
    /** @type {ActiveFault} */
    if (fault.skip !== undefined && !(Number.isInteger(fault.skip) && fault.skip >= 0)) {
      throw new TypeError('injectFault: skip must be an integer >= 0');
    }
    if (fault.probability !== undefined && !(fault.probability > 0 && fault.probability <= 1)) {
      throw new TypeError('injectFault: probability must be in (0, 1]');
    }
    const entry = {
      id: this.nextId++,
      fault: { ...fault, match, times },
      remaining: times,
      skip: fault.skip || 0,
      random: seededRandom(fault.seed === undefined ? entryId(this.nextId) : fault.seed),
    };
    this.active.push(entry);
    return {
      id: entry.id,
      kind: fault.kind,
      get remaining() {
        return entry.remaining;
      },
    };
  }

  clear() {
    for (const entry of this.active) entry.remaining = 0;
    this.active = [];
  }

  /**
   * The fault to apply to this request, counted down; undefined when none matches.
   * @param {string} method
   * @param {string} path
   */
  take(method, path) {
    for (let i = 0; i < this.active.length; i++) {
      const entry = this.active[i];
      const match = entry.fault.match || {};
      if (match.method !== undefined && match.method.toUpperCase() !== method) continue;
      if (match.path !== undefined) {
        if (typeof match.path === 'string' ? match.path !== path : !matchesRegExp(match.path, path)) continue;
      }
      // `skip` lets that many matching requests through first; `probability` picks requests
      // at random (seeded, so a failing run can be replayed).
      if (entry.skip > 0) {
        entry.skip -= 1;
        continue;
      }
      if (entry.fault.probability !== undefined && entry.random() >= entry.fault.probability) continue;
      entry.remaining -= 1;
      if (entry.remaining <= 0) this.active.splice(i, 1);
      this.injected[entry.fault.kind] = (this.injected[entry.fault.kind] || 0) + 1;
      return entry.fault;
    }
    return undefined;
  }

  /**
   * @param {Fault} fault
   * @param {FaultContext} ctx
   * @param {() => Promise<Reply>} proceed
   * @returns {Promise<Reply>}
   */
  async run(fault, ctx, proceed) {
    return FAULT_KINDS[fault.kind].run(fault, ctx, proceed);
  }
}

/** mulberry32: a small seeded generator, so random fault patterns are reproducible. @param {number} seed */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @param {number} id */
function entryId(id) {
  return id * 2654435761;
}

/** RegExp test that ignores lastIndex state of /g and /y patterns. @param {RegExp} re @param {string} s */
function matchesRegExp(re, s) {
  re.lastIndex = 0;
  return re.test(s);
}

module.exports = { FaultInjector, FAULT_KINDS, tilledError };
