'use strict';

/**
 * A small generic store for the fake's resources beyond checkout sessions (payment intents,
 * charges, refunds, customers, payouts, balance transactions, disputes): records by id, kept in
 * creation order, each belonging to one account. Lists walk from the newest and keep one page, as
 * Tilled's lists do (offset/limit, has_more, total), so every resource is served the same way.
 *
 * Records are the fake's own mutable objects; what is sent is built from them by each resource's
 * view function (see payments.js), so a caller never holds a live record.
 */

const { randomId } = require('./store');

/** One clock for every collection: created_at strictly increasing across resources. */
let lastT = 0;
function nextTime() {
  const now = Date.now();
  lastT = now > lastT ? now : lastT + 1;
  return new Date(lastT).toISOString();
}

/**
 * @template {{ id: string, account_id: string }} T
 */
class Collection {
  /** @param {string} prefix id prefix, e.g. 'pi_' */
  constructor(prefix) {
    this.prefix = prefix;
    /** @type {T[]} oldest first */
    this.records = [];
    /** @type {Map<string, T>} */
    this.byId = new Map();
  }

  newId() {
    let id;
    do id = randomId(this.prefix);
    while (this.byId.has(id));
    return id;
  }

  /** @param {T} record @returns {T} */
  add(record) {
    if (this.byId.has(record.id)) throw new Error(`fake-tilled: ${record.id} already exists`);
    this.records.push(record);
    this.byId.set(record.id, record);
    return record;
  }

  /**
   * The record when it exists and the acting accounts may see it (another account's is not found).
   * @param {string} id @param {(account: string) => boolean} [visible]
   * @returns {T | undefined}
   */
  get(id, visible) {
    const record = this.byId.get(id);
    return record && (!visible || visible(record.account_id)) ? record : undefined;
  }

  /** @param {(record: T) => boolean} [keep] @returns {T[]} newest first */
  all(keep) {
    /** @type {T[]} */
    const out = [];
    for (let i = this.records.length - 1; i >= 0; i--) if (!keep || keep(this.records[i])) out.push(this.records[i]);
    return out;
  }

  count() {
    return this.records.length;
  }

  reset() {
    this.records = [];
    this.byId.clear();
  }
}

/**
 * One page of a list, newest first, in Tilled's list shape.
 * @template T, V
 * @param {T[]} records newest first, already filtered
 * @param {number} offset @param {number} limit @param {(record: T) => V} view
 */
function listPage(records, offset, limit, view) {
  const items = records.slice(offset, offset + limit).map(view);
  return { items, has_more: offset + items.length < records.length, total: records.length, offset, limit };
}

/**
 * True when `metadata` holds every key/value of `wanted` (exact matches, as Tilled's metadata filter).
 * @param {Record<string, string> | undefined} metadata @param {Record<string, string> | undefined} wanted
 */
function metadataMatches(metadata, wanted) {
  if (!wanted) return true;
  for (const [key, value] of Object.entries(wanted)) {
    if (!metadata || !Object.prototype.hasOwnProperty.call(metadata, key) || metadata[key] !== value) return false;
  }
  return true;
}

/**
 * True when an ISO date lies in [gte, lte] (both optional, inclusive).
 * @param {string | undefined} date @param {string | undefined} gte @param {string | undefined} lte
 */
function dateInRange(date, gte, lte) {
  if (gte === undefined && lte === undefined) return true;
  if (date === undefined) return false;
  const t = Date.parse(date);
  return (gte === undefined || t >= Date.parse(gte)) && (lte === undefined || t <= Date.parse(lte));
}

module.exports = { Collection, listPage, metadataMatches, dateInRange, nextTime };
