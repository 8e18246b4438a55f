'use strict';

/**
 * In-memory checkout-session store of the fake Tilled server.
 *
 * Sessions are immutable (deep-frozen) once stored: every change replaces the stored object, so
 * callers may hold on to what getSession/listSessions return, and seeded sessions can share
 * their unchanging parts (line items, payment method types, empty metadata) to stay lean
 * (100,000 seeded sessions take tens of MB).
 *
 * Records are kept in one array ordered by (created_at, creation sequence); lists walk it from the
 * end, so "newest first" costs no sorting and no copy of the store.
 */

const crypto = require('node:crypto');
const { getValidator, formatErrors, DEFS } = require('./schema');

const ID_ALPHABET = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 'latin1');
const ID_LENGTH = 24;
let idPool = Buffer.alloc(0);
let idPoolPos = 0;

/**
 * `prefix` + random alphanumeric string of `length` characters (unbiased, from a refilled random pool).
 * Built as one flat string: 100,000 seeded sessions hold 200,000 of these.
 */
/** @param {number} length @param {string} [prefix] */
function randomChars(length, prefix = '') {
  const out = Buffer.allocUnsafe(prefix.length + length);
  let n = out.write(prefix, 'latin1');
  while (n < out.length) {
    if (idPoolPos >= idPool.length) {
      idPool = crypto.randomBytes(4096);
      idPoolPos = 0;
    }
    const byte = idPool[idPoolPos++];
    if (byte < 248) out[n++] = ID_ALPHABET[byte % 62]; // 248 = 4 * 62: no modulo bias
  }
  return out.toString('latin1');
}

/** @param {string} prefix e.g. 'cs_' */
function randomId(prefix) {
  return randomChars(ID_LENGTH, prefix);
}

/** @template T @param {T} value @returns {T} */
function deepFreeze(value) {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze(/** @type {any} */ (value)[key]);
  }
  return value;
}

/**
 * @typedef {{ quantity: number, price_data: { currency: string, unit_amount: number,
 *   product_data: { name: string, description?: string, images?: string[] } } }} LineItem
 * @typedef {{ id: string, account_id: string, amount_total: number, currency: string,
 *   line_items: LineItem[], payment_intent_id: string, payment_method_types: string[],
 *   status: 'open'|'complete'|'expired', url: string, created_at: string, updated_at: string,
 *   success_url?: string, cancel_url?: string, customer_id?: string,
 *   customer_details?: { email: string }, expires_at?: string,
 *   metadata?: Record<string, string> }} CheckoutSession
 * @typedef {{ t: number, session: Readonly<CheckoutSession> }} SessionRecord
 * @typedef {{ metadata?: Record<string, string>, payment_intent_id?: string,
 *   customer_id?: string }} ListFilters
 */

const STATUSES = ['open', 'complete', 'expired'];

/** Sum of round(unit_amount * quantity) over the line items. @param {LineItem[]} lineItems */
function amountTotal(lineItems) {
  let total = 0;
  for (const item of lineItems) total += Math.round(item.price_data.unit_amount * item.quantity);
  return total;
}

const SEED_LINE_ITEMS = deepFreeze([
  { quantity: 1, price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'Seeded item' } } },
]);
const SEED_PAYMENT_METHOD_TYPES = deepFreeze(['card']);
const EMPTY_METADATA = deepFreeze({});

class SessionStore {
  /**
   * @param {{ accountId: string, checkoutUrl: (id: string) => string,
   *   onInvalidSession?: (messages: string[], session: any) => void }} options
   */
  constructor(options) {
    this.accountId = options.accountId;
    this.checkoutUrl = options.checkoutUrl;
    /** @type {SessionRecord[]} ordered by (t, creation sequence) */
    this.records = [];
    /** @type {Map<string, SessionRecord>} */
    this.byId = new Map();
    /** @type {Map<string, number>} sessions per account_id (lists of the only account skip filtering) */
    this.perAccount = new Map();
    this.lastT = 0;
  }

  /** Strictly increasing creation time (ms), never behind the clock. */
  nextTime() {
    const now = Date.now();
    this.lastT = now > this.lastT ? now : this.lastT + 1;
    return this.lastT;
  }

  /**
   * Throws when `session` does not match the CheckoutSession schema: the fake itself is wrong.
   * @param {any} session
   */
  assertValid(session) {
    const validate = getValidator(DEFS.session);
    if (!validate(session)) {
      const messages = formatErrors(validate.errors, 'session');
      const error = new Error(`fake-tilled built an invalid CheckoutSession: ${messages.join('; ')}`);
      /** @type {any} */ (error).validationMessages = messages;
      throw error;
    }
  }

  /** @param {SessionRecord} record */
  insert(record) {
    const records = this.records;
    if (records.length === 0 || record.t >= records[records.length - 1].t) {
      records.push(record);
    } else {
      // out-of-order created_at (seed override): after all records with t <= record.t
      let lo = 0;
      let hi = records.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (records[mid].t <= record.t) lo = mid + 1;
        else hi = mid;
      }
      records.splice(lo, 0, record);
    }
    this.byId.set(record.session.id, record);
    const account = record.session.account_id;
    this.perAccount.set(account, (this.perAccount.get(account) ?? 0) + 1);
  }

  /** A fresh session id not in the store. */
  newSessionId() {
    let id;
    do id = randomId('cs_');
    while (this.byId.has(id));
    return id;
  }

  /**
   * Creates a session from a create body that already passed schema and currency checks.
   * @param {any} params CheckoutSessionCreateParams
   * @param {string} [account] the account it belongs to (the request's tilled-account)
   * @returns {Readonly<CheckoutSession>}
   */
  create(params, account = this.accountId) {
    const t = this.nextTime();
    const now = new Date(t).toISOString();
    const id = this.newSessionId();
    const lineItems = structuredClone(params.line_items);
    /** @type {CheckoutSession} */
    const session = {
      id,
      account_id: account,
      amount_total: amountTotal(lineItems),
      currency: lineItems[0].price_data.currency,
      line_items: lineItems,
      payment_intent_id: randomId('pi_'),
      payment_method_types: [...params.payment_intent_data.payment_method_types],
      status: 'open',
      url: this.checkoutUrl(id),
      created_at: now,
      updated_at: now,
      metadata: params.metadata ? { ...params.metadata } : {},
    };
    if (params.success_url !== undefined) session.success_url = params.success_url;
    if (params.cancel_url !== undefined) session.cancel_url = params.cancel_url;
    if (params.customer_id !== undefined) session.customer_id = params.customer_id;
    if (params.customer_email !== undefined) session.customer_details = { email: params.customer_email };
    if (params.expires_at !== undefined) session.expires_at = params.expires_at;
    this.assertValid(session);
    deepFreeze(session);
    this.insert({ t, session });
    return session;
  }

  /**
   * Creates n valid sessions quickly, created_at strictly increasing (in the past when the store
   * is empty: the last one is about "now"). Overrides are shallow-merged over the defaults;
   * given line_items, amount_total and currency follow them unless overridden too.
   * @param {number} n
   * @param {Partial<CheckoutSession> | ((i: number) => Partial<CheckoutSession> | undefined)} [overrides]
   * @returns {Readonly<CheckoutSession>[]} the new sessions, oldest first
   */
  seed(n, overrides) {
    if (!Number.isInteger(n) || n < 0) throw new TypeError('seedSessions(n): n must be an integer >= 0');
    const perIndex = typeof overrides === 'function' ? overrides : undefined;
    const shared =
      perIndex || !overrides ? undefined : deepFreeze(structuredClone(/** @type {Partial<CheckoutSession>} */ (overrides)));
    const start = Math.max(this.lastT + 1, Date.now() - n + 1);
    const defaultAmount = amountTotal(SEED_LINE_ITEMS);
    /** @type {Readonly<CheckoutSession>[]} */
    const created = new Array(n);
    for (let i = 0; i < n; i++) {
      let t = start + i;
      const id = this.newSessionId();
      const createdAt = new Date(t).toISOString();
      /** @type {CheckoutSession} */
      let session = {
        id,
        account_id: this.accountId,
        amount_total: defaultAmount,
        currency: 'usd',
        line_items: SEED_LINE_ITEMS,
        payment_intent_id: randomId('pi_'),
        payment_method_types: SEED_PAYMENT_METHOD_TYPES,
        status: 'open',
        url: this.checkoutUrl(id),
        created_at: createdAt,
        updated_at: createdAt,
        metadata: EMPTY_METADATA,
      };
      const extra = perIndex ? perIndex(i) : shared;
      if (extra && Object.keys(extra).length > 0) {
        /** @type {Partial<CheckoutSession>} */
        const own = perIndex ? deepFreeze(structuredClone(extra)) : extra;
        session = { ...session, ...own };
        if (own.line_items && own.amount_total === undefined) session.amount_total = amountTotal(own.line_items);
        if (own.line_items && own.currency === undefined && own.line_items[0]) {
          session.currency = own.line_items[0].price_data.currency;
        }
        if (own.id !== undefined && own.id !== id) {
          if (this.byId.has(own.id)) throw new Error(`seedSessions: id ${own.id} already exists`);
        }
        if (own.id !== undefined && own.url === undefined) session.url = this.checkoutUrl(own.id);
        if (own.created_at !== undefined) {
          t = Date.parse(own.created_at);
          if (own.updated_at === undefined) session.updated_at = own.created_at;
        }
        this.assertValid(session);
      } else if (i === 0) {
        this.assertValid(session);
      }
      Object.freeze(session);
      if (t > this.lastT) this.lastT = t;
      this.insert({ t, session });
      created[i] = session;
    }
    return created;
  }

  /** @param {string} id */
  get(id) {
    const record = this.byId.get(id);
    return record ? record.session : undefined;
  }

  count() {
    return this.records.length;
  }

  /** All sessions, newest first (a new array of the stored, frozen objects). */
  all() {
    const out = new Array(this.records.length);
    for (let i = this.records.length - 1, j = 0; i >= 0; i--, j++) out[j] = this.records[i].session;
    return out;
  }

  /**
   * Replaces fields of a stored session (validated); updated_at is bumped unless given.
   * @param {string} id
   * @param {Partial<CheckoutSession>} patch
   */
  update(id, patch) {
    const record = this.byId.get(id);
    if (!record) throw new Error(`fake-tilled: no checkout session ${id}`);
    if ('id' in patch && patch.id !== id) throw new Error('fake-tilled: a session id cannot change');
    if ('account_id' in patch && patch.account_id !== record.session.account_id) {
      throw new Error("fake-tilled: a session's account cannot change");
    }
    const old = record.session;
    const next = { ...old, ...deepFreeze(structuredClone(patch)) };
    if (patch.updated_at === undefined) {
      const previous = Date.parse(old.updated_at);
      next.updated_at = new Date(Math.max(Date.now(), previous + 1)).toISOString();
    }
    this.assertValid(next);
    record.session = Object.freeze(next);
    return record.session;
  }

  /** @param {string} id @param {string} status */
  setStatus(id, status) {
    if (!STATUSES.includes(status)) throw new Error(`fake-tilled: status must be one of ${STATUSES.join(', ')}`);
    return this.update(id, { status: /** @type {any} */ (status) });
  }

  /**
   * @param {string} id
   * @param {string} [account] the account acting: another account's session is not found
   * @returns {{ session: Readonly<CheckoutSession> } | { notFound: true } | { status: string }}
   */
  expire(id, account = this.accountId) {
    const record = this.byId.get(id);
    if (!record || record.session.account_id !== account) return { notFound: true };
    if (record.session.status !== 'open') return { status: record.session.status };
    return { session: this.update(id, { status: 'expired' }) };
  }

  /**
   * Newest first, filtered; counts every match but keeps only the requested page. Only the
   * sessions of `account` (the account acting) are listed.
   * @param {ListFilters} filters
   * @param {number} offset
   * @param {number} limit
   * @param {string} [account]
   * @returns {{ items: Readonly<CheckoutSession>[], total: number }}
   */
  list(filters, offset, limit, account = this.accountId) {
    const records = this.records;
    const metadataEntries = filters.metadata ? Object.entries(filters.metadata) : [];
    const pi = filters.payment_intent_id;
    const customer = filters.customer_id;
    /** @type {Readonly<CheckoutSession>[]} */
    const items = [];
    const onlyAccount = (this.perAccount.get(account) ?? 0) === records.length;
    if (onlyAccount && metadataEntries.length === 0 && pi === undefined && customer === undefined) {
      const end = records.length - 1 - offset;
      for (let i = end; i >= 0 && items.length < limit; i--) items.push(records[i].session);
      return { items, total: records.length };
    }
    let total = 0;
    for (let i = records.length - 1; i >= 0; i--) {
      const s = records[i].session;
      if (s.account_id !== account) continue;
      if (pi !== undefined && s.payment_intent_id !== pi) continue;
      if (customer !== undefined && s.customer_id !== customer) continue;
      if (metadataEntries.length > 0) {
        const metadata = s.metadata;
        if (!metadata) continue;
        let ok = true;
        for (const [key, value] of metadataEntries) {
          if (!Object.prototype.hasOwnProperty.call(metadata, key) || metadata[key] !== value) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
      }
      if (total >= offset && items.length < limit) items.push(s);
      total++;
    }
    return { items, total };
  }

  reset() {
    this.records = [];
    this.byId.clear();
    this.perAccount.clear();
  }
}

module.exports = { SessionStore, randomId, deepFreeze, amountTotal, STATUSES };
