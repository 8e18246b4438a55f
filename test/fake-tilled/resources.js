'use strict';

/**
 * HTTP routes of the fake Tilled server for payment intents, charges, refunds, customers,
 * payouts, balance transactions and disputes (the records and their rules are in payments.js),
 * and the admin actions that make what only a card holder or a bank would (no auth, /_fake/…).
 * Every body and query is checked against resources.schema.json before anything changes, and
 * every answer before it is sent. See README.md in this folder for the routes.
 */

const { createValidators, formatErrors } = require('./schema');
const { listPage, metadataMatches, dateInRange } = require('./collection');

/** @type {any} */
const SCHEMA = require('./resources.schema.json');

const validator = createValidators(SCHEMA);
const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 100;

/**
 * @typedef {{ method: string, path: string, query: any, headers: Record<string, any>, body: any,
 *   rawBody: string, queryErrors: string[] }} Ctx
 * @typedef {{ account: string, accounts: (includeConnected?: boolean) => (id: string) => boolean }} Acting
 * @typedef {{ method: string, pattern: RegExp, admin?: boolean, run: (ctx: Ctx, acting: Acting, id: string) => any }} Route
 */

/**
 * @param {{ accountId: string, connected: Set<string>, payments: ReturnType<typeof import('./payments').createPayments>,
 *   jsonReply: (status: number, json: any) => any, errorReply: (status: number, message?: string | string[]) => any }} deps
 */
function createResources(deps) {
  const { accountId, connected, payments, jsonReply, errorReply } = deps;
  const { views, Refusal } = payments;

  /** What is sent, validated: a wrong answer is the fake's bug, thrown as such. @param {string} def @param {any} json */
  function valid(def, json) {
    const validate = validator(def);
    if (!validate(json)) throw new Error(`invalid ${def} response: ${formatErrors(validate.errors, def).join('; ')}`);
    return json;
  }

  /** @param {string} def @param {any} json */
  function checked(def, json, status = 200) {
    return jsonReply(status, valid(def, json));
  }

  /** The JSON body checked against `def`; an empty body is {} (as NestJS reads it). @param {Ctx} ctx @param {string} def */
  function body(ctx, def) {
    let value = {};
    if (ctx.rawBody.trim() !== '') {
      const contentType = String(ctx.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
      if (contentType !== 'application/json') throw new Refusal(400, 'Content-Type must be application/json');
      if (ctx.body === undefined) throw new Refusal(400, 'Request body is not valid JSON');
      value = ctx.body;
    }
    return validated(value, def);
  }

  /** @param {any} value @param {string} def */
  function validated(value, def) {
    const validate = validator(def);
    if (!validate(value)) throw refusal(formatErrors(validate.errors, 'body'));
    return value;
  }

  /** A 400 with a list of messages (class-validator style). @param {string[]} messages */
  function refusal(messages) {
    const error = new Refusal(400, messages.join('; '));
    /** @type {any} */ (error).messages = messages;
    return error;
  }

  /**
   * The query checked against `def`, with offset and limit (limit above 100 capped). An array
   * parameter may come repeated (`status=a&status=b`), comma-separated (`status=a,b`, as the
   * spec's example shows) or as `status[]=a`.
   * @param {Ctx} ctx @param {string} def
   */
  function query(ctx, def) {
    if (ctx.queryErrors.length > 0) throw refusal(ctx.queryErrors);
    const copy = structuredClone(ctx.query);
    for (const [name, schema] of Object.entries(SCHEMA.$defs[def].properties)) {
      if (/** @type {any} */ (schema).type !== 'array' || copy[name] === undefined) continue;
      let value = copy[name];
      if (value && typeof value === 'object' && !Array.isArray(value)) value = value[''] ?? [];
      copy[name] = [].concat(value).flatMap((/** @type {any} */ v) => (typeof v === 'string' ? v.split(',') : [v]));
    }
    const validate = validator(def, true);
    if (!validate(copy)) throw refusal(formatErrors(validate.errors, 'query'));
    return { ...copy, offset: copy.offset ?? 0, limit: Math.min(copy.limit ?? DEFAULT_LIMIT, MAX_LIMIT) };
  }

  /**
   * Serves a list the one way every resource lists: the acting account's records (and its
   * connected accounts' with include_connected_accounts), filtered, newest first, one page.
   * @param {import('./collection').Collection<any>} collection @param {string} def the list's schema name
   * @param {Acting} acting @param {any} q parsed query @param {(record: any) => boolean} keep @param {(record: any) => any} view
   */
  function serveList(collection, def, acting, q, keep, view) {
    const visible = acting.accounts(q.include_connected_accounts === true);
    const records = collection.all((record) => visible(record.account_id) && metadataMatches(record.metadata, q.metadata) && keep(record));
    return checked(def, listPage(records, q.offset, q.limit, view));
  }

  /** @param {import('./collection').Collection<any>} collection @param {string} id @param {Acting} acting @param {string} what */
  function find(collection, id, acting, what) {
    const record = collection.get(id, acting.accounts());
    if (!record) throw new Refusal(404, `${what} ${id} not found`);
    return record;
  }

  /** Case-insensitive substring search over some text fields. @param {string | undefined} q @param {any[]} fields */
  function searchMatches(q, fields) {
    if (q === undefined || q === '') return true;
    const needle = q.toLowerCase();
    return fields.some((field) => field !== undefined && String(field).toLowerCase().includes(needle));
  }

  /** @param {string} account from an admin body: the fake's account or one connected to it */
  function adminAccount(account = accountId) {
    if (account !== accountId && !connected.has(account)) {
      throw new Refusal(400, `account_id must be ${accountId} or one of its connected accounts`);
    }
    return account;
  }

  const PI = '/v1/payment-intents';
  const ID = '([^/]+)';
  /** @type {Route[]} */
  const routes = [
    {
      method: 'GET',
      pattern: new RegExp(`^${PI}$`),
      run(ctx, acting) {
        const q = query(ctx, 'PaymentIntentListQuery');
        return serveList(
          payments.intents,
          'PaymentIntentList',
          acting,
          q,
          (pi) => {
            if (q.status && !q.status.includes(pi.status)) return false;
            if (q.customer_id !== undefined && pi.customer_id !== q.customer_id) return false;
            if (q.subscription_id !== undefined && pi.subscription_id !== q.subscription_id) return false;
            if (!dateInRange(pi.created_at, q.created_at_gte, q.created_at_lte)) return false;
            const customer = pi.customer_id === undefined ? undefined : payments.customers.byId.get(pi.customer_id);
            return searchMatches(q.q, [pi.id, pi.amount, customer?.first_name, customer?.last_name]);
          },
          views.intentView,
        );
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${PI}/${ID}$`),
      run: (ctx, acting, id) => checked('PaymentIntent', views.intentView(find(payments.intents, id, acting, 'Payment intent'))),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${PI}/${ID}/cancel$`),
      run(ctx, acting, id) {
        const params = body(ctx, 'PaymentIntentCancelParams');
        const pi = find(payments.intents, id, acting, 'Payment intent');
        return checked('PaymentIntent', views.intentView(payments.cancel(pi, params.cancellation_reason)), 201);
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${PI}/${ID}/capture$`),
      run(ctx, acting, id) {
        const params = body(ctx, 'PaymentIntentCaptureParams');
        const pi = find(payments.intents, id, acting, 'Payment intent');
        return checked('PaymentIntent', views.intentView(payments.capture(pi, params)), 201);
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/charges/${ID}$`),
      run: (ctx, acting, id) => checked('Charge', views.chargeView(find(payments.charges, id, acting, 'Charge'))),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/refunds$/,
      run(ctx, acting) {
        const params = body(ctx, 'RefundCreateParams');
        const pi = find(payments.intents, params.payment_intent_id, acting, 'Payment intent');
        return checked('Refund', views.refundView(payments.refund(pi, params)), 201);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/refunds$/,
      run: (ctx, acting) => serveList(payments.refunds, 'RefundList', acting, query(ctx, 'RefundListQuery'), () => true, views.refundView),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/refunds/${ID}$`),
      run: (ctx, acting, id) => checked('Refund', views.refundView(find(payments.refunds, id, acting, 'Refund'))),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/customers$/,
      run: (ctx, acting) => checked('Customer', views.customerView(payments.createCustomer(acting.account, body(ctx, 'CustomerCreateParams'))), 201),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/customers$/,
      run(ctx, acting) {
        const q = query(ctx, 'CustomerListQuery');
        const keep = (/** @type {any} */ c) => searchMatches(q.q, [c.first_name, c.last_name, c.email, c.phone]);
        return serveList(payments.customers, 'CustomerList', acting, q, keep, views.customerView);
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/customers/${ID}$`),
      run: (ctx, acting, id) => checked('Customer', views.customerView(find(payments.customers, id, acting, 'Customer'))),
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^/v1/customers/${ID}$`),
      run(ctx, acting, id) {
        const params = body(ctx, 'CustomerUpdateParams');
        const customer = find(payments.customers, id, acting, 'Customer');
        return checked('Customer', views.customerView(payments.updateCustomer(customer, params)));
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/payouts$/,
      run(ctx, acting) {
        const q = query(ctx, 'PayoutListQuery');
        const byCreated = q.created_at_gte !== undefined || q.created_at_lte !== undefined;
        if (byCreated && (q.paid_at_gte !== undefined || q.paid_at_lte !== undefined)) {
          throw refusal(['created_at_gte and created_at_lte cannot be paired with paid_at_gte or paid_at_lte']);
        }
        const keep = (/** @type {any} */ p) =>
          (q.status === undefined || p.status === q.status) &&
          dateInRange(p.created_at, q.created_at_gte, q.created_at_lte) &&
          dateInRange(p.paid_at, q.paid_at_gte, q.paid_at_lte);
        const view = (/** @type {any} */ p) => views.payoutView(p, { transactionCount: q.include === 'transaction_count' });
        return serveList(payments.payouts, 'PayoutList', acting, q, keep, view);
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/payouts/${ID}$`),
      run: (ctx, acting, id) => checked('Payout', views.payoutView(find(payments.payouts, id, acting, 'Payout'))),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/balance-transactions$/,
      run(ctx, acting) {
        const q = query(ctx, 'BalanceTransactionListQuery');
        const keep = (/** @type {any} */ t) =>
          (q.type === undefined || t.type === q.type) &&
          (q.source_id === undefined || t.source_id === q.source_id) &&
          (q.payout_id === undefined || t.payout_id === q.payout_id) &&
          dateInRange(t.created_at, q.created_at_gte, q.created_at_lte);
        return serveList(payments.balance, 'BalanceTransactionList', acting, q, keep, views.balanceView);
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/balance-transactions/${ID}$`),
      run: (ctx, acting, id) => checked('BalanceTransaction', views.balanceView(find(payments.balance, id, acting, 'Balance transaction'))),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/disputes$/,
      run(ctx, acting) {
        const q = query(ctx, 'DisputeListQuery');
        const keep = (/** @type {any} */ d) =>
          (q.charge_id === undefined || d.charge_id === q.charge_id) &&
          (q.status === undefined || q.status.includes(d.status)) &&
          dateInRange(d.created_at, q.created_at_gte, q.created_at_lte);
        return serveList(payments.disputes, 'DisputeList', acting, q, keep, views.disputeView);
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/v1/disputes/${ID}$`),
      run: (ctx, acting, id) => checked('Dispute', views.disputeView(find(payments.disputes, id, acting, 'Dispute'))),
    },
    // ---- admin actions (no auth): what a card holder, a bank or Tilled itself would do ----
    {
      method: 'POST',
      admin: true,
      pattern: /^\/_fake\/payment-intents$/,
      run: (ctx) => jsonReply(201, admin.createPaymentIntent(body(ctx, 'FakePaymentIntentParams'))),
    },
    {
      method: 'POST',
      admin: true,
      pattern: new RegExp(`^/_fake/charges/${ID}/dispute$`),
      run: (ctx, acting, id) => jsonReply(201, admin.openDispute(id, body(ctx, 'FakeDisputeParams'))),
    },
    {
      method: 'POST',
      admin: true,
      pattern: /^\/_fake\/payouts$/,
      run: (ctx) => jsonReply(201, admin.createPayout(body(ctx, 'FakePayoutParams'))),
    },
  ];

  /** An admin acts for every account. @type {Acting} */
  const adminActing = { account: accountId, accounts: () => () => true };

  /**
   * The admin actions, for the /_fake routes and for tests (fake.payments): parameters are checked
   * against the Fake…Params schemas; a refusal throws (a `Refusal` with `status`).
   */
  const admin = {
    /** @param {any} params FakePaymentIntentParams @returns {any} the PaymentIntent as sent */
    createPaymentIntent(params) {
      const { account_id: account, ...rest } = validated(structuredClone(params), 'FakePaymentIntentParams');
      return valid('PaymentIntent', views.intentView(payments.createIntent({ ...rest, account_id: adminAccount(account) })));
    },
    /** @param {string} chargeId @param {any} [params] FakeDisputeParams @returns {any} the Dispute */
    openDispute(chargeId, params = {}) {
      const checkedParams = validated(structuredClone(params), 'FakeDisputeParams');
      return valid('Dispute', views.disputeView(payments.openDispute(find(payments.charges, chargeId, adminActing, 'Charge'), checkedParams)));
    },
    /** @param {any} [params] FakePayoutParams @returns {any} the Payout */
    createPayout(params = {}) {
      const { account_id: account, ...rest } = validated(structuredClone(params), 'FakePayoutParams');
      return valid('Payout', views.payoutView(payments.createPayout(adminAccount(account), rest)));
    },
  };

  /**
   * The route for a request, or undefined when the path is not one of these resources'.
   * @param {Ctx} ctx
   * @returns {{ admin?: boolean, handler?: (account?: string) => any } | undefined}
   */
  function route(ctx) {
    let pathMatched = false;
    for (const candidate of routes) {
      const match = candidate.pattern.exec(ctx.path);
      if (!match) continue;
      pathMatched = true;
      if (candidate.method !== ctx.method) continue;
      let id = '';
      try {
        id = match[1] === undefined ? '' : decodeURIComponent(match[1]);
      } catch {
        return { handler: undefined };
      }
      return {
        admin: candidate.admin,
        handler: (/** @type {string | undefined} */ account) => {
          try {
            return candidate.run(ctx, candidate.admin ? adminActing : acting(/** @type {string} */ (account)), id);
          } catch (error) {
            if (!(error instanceof Refusal)) throw error;
            const messages = /** @type {any} */ (error).messages;
            return errorReply(error.status, messages ?? error.message);
          }
        },
      };
    }
    return pathMatched ? { handler: undefined } : undefined;
  }

  /** The account acting and which accounts' records it may see. @param {string} account @returns {Acting} */
  function acting(account) {
    return {
      account,
      accounts: (includeConnected = false) =>
        includeConnected && account === accountId ? (id) => id === accountId || connected.has(id) : (id) => id === account,
    };
  }

  return { route, admin };
}

module.exports = { createResources, SCHEMA };
