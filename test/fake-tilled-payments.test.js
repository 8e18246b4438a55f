'use strict';

// The fake Tilled's payment intents, charges, refunds, customers, payouts, balance transactions
// and disputes (test/fake-tilled/payments.js, resources.js): statuses, amounts and errors as
// Tilled's spec describes them, and every answer valid against resources.schema.json.

const { startFakeTilled } = require('./fake-tilled/server');
const { useFakeTilled, callFake } = require('./fake-tilled/testing');
const { createValidators } = require('./fake-tilled/schema');
const { SCHEMA } = require('./fake-tilled/resources');
const { OTHER_ACCOUNT } = require('./fake-tilled/webhooks');

const API_KEY = 'sk_test_payments_key';
const ACCOUNT = 'acct_payments';
const AUTH = { 'tilled-api-key': API_KEY, 'tilled-account': ACCOUNT };
const validator = createValidators(SCHEMA);

/** @type {Awaited<ReturnType<typeof startFakeTilled>>} */
let fake;

useFakeTilled({ apiKey: API_KEY, accountId: ACCOUNT }, (started) => {
  fake = started;
});

beforeEach(() => {
  fake.sessions.reset();
  fake.payments.reset();
  fake.webhooks.reset();
  fake.clearRequests();
  fake.clearFaults();
});

/** @param {string} urlPath @param {Parameters<typeof callFake>[3]} [opts] */
const api = (urlPath, opts) => callFake(fake.url, AUTH, urlPath, opts);

/** @param {string} def @param {any} value */
function expectValid(def, value) {
  const validate = validator(def);
  expect(validate(value) ? [] : validate.errors).toEqual([]);
}

/** A paid checkout session of 2 × 1,250 usd; its payment intent as the API shows it. */
async function paidSession(overrides = {}) {
  const [session] = fake.sessions.seedSessions(1, {
    line_items: [{ quantity: 2, price_data: { currency: 'usd', unit_amount: 1250, product_data: { name: 'Mug' } } }],
    metadata: { order_id: 'ORD-7' },
    ...overrides,
  });
  await fake.webhooks.pay(session.id);
  const got = await api(`/v1/payment-intents/${session.payment_intent_id}`);
  expect(got.status).toBe(200);
  return { session, intent: got.json };
}

const post = (/** @type {string} */ urlPath, /** @type {any} */ json) => api(urlPath, { method: 'POST', json });

describe('payment intents and charges', () => {
  test('paying a checkout session makes a succeeded payment intent with one captured charge', async () => {
    const customer = fake.payments.createCustomer({ first_name: 'Ada', last_name: 'Lovelace' });
    const { session, intent } = await paidSession({ customer_id: customer.id });
    expectValid('PaymentIntent', intent);
    expect(intent).toMatchObject({
      id: session.payment_intent_id,
      account_id: ACCOUNT,
      status: 'succeeded',
      amount: 2500,
      amount_received: 2500,
      amount_capturable: 0,
      capture_method: 'automatic',
      currency: 'usd',
      metadata: { order_id: 'ORD-7' },
      customer: { id: customer.id, first_name: 'Ada' },
    });
    expect(intent.charges).toHaveLength(1);
    const [charge] = intent.charges;
    expect(charge).toMatchObject({ status: 'succeeded', captured: true, amount_captured: 2500, amount_refunded: 0, refunded: false, refunds: [] });
    const got = await api(`/v1/charges/${charge.id}`);
    expect(got.status).toBe(200);
    expectValid('Charge', got.json);
    expect(got.json).toEqual(charge);
    // The webhook event carries the same intent.
    const events = fake.webhooks.events().filter((e) => e.type === 'payment_intent.succeeded');
    expect(events.map((e) => [e.data.id, e.data.charges.length])).toEqual([[intent.id, 1]]);
  });

  test('paying the same session twice keeps one intent and one charge', async () => {
    const { session } = await paidSession();
    await fake.webhooks.pay(session.id);
    const list = await api('/v1/payment-intents');
    expect(list.json.total).toBe(1);
    expect(list.json.items[0].charges).toHaveLength(1);
  });

  test('unknown ids are 404 with the id named; another account\'s intent is not found either', async () => {
    expect(await api('/v1/payment-intents/pi_nope')).toMatchObject({ status: 404, json: { statusCode: 404, message: 'Payment intent pi_nope not found' } });
    expect((await api('/v1/charges/ch_nope')).json.message).toBe('Charge ch_nope not found');
    const other = fake.payments.createPaymentIntent({ amount: 100, currency: 'usd', account_id: OTHER_ACCOUNT });
    expect((await api(`/v1/payment-intents/${other.id}`)).status).toBe(404);
    const asOther = await api(`/v1/payment-intents/${other.id}`, { headers: { 'tilled-account': OTHER_ACCOUNT } });
    expect(asOther.status).toBe(200);
    expect(asOther.headers.get('request-id')).toMatch(/^req_/);
    expect((await api(`/v1/payment-intents/${other.id}`, { auth: false })).status).toBe(401);
    expect((await api('/v1/payment-intents/x', { method: 'DELETE' })).status).toBe(404);
  });

  test('list filters: status (repeated or comma-separated), customer, metadata, dates, q, connected accounts; paged', async () => {
    const manual = fake.payments.createPaymentIntent({ amount: 700, currency: 'usd', capture_method: 'manual', metadata: { k: 'a' } });
    const auto = fake.payments.createPaymentIntent({ amount: 800, currency: 'usd', customer_id: 'cus_x', metadata: { k: 'b' } });
    const other = fake.payments.createPaymentIntent({ amount: 900, currency: 'usd', account_id: OTHER_ACCOUNT });
    const ids = async (/** @type {string} */ q) => {
      const res = await api(`/v1/payment-intents${q}`);
      expect(res.status).toBe(200);
      expectValid('PaymentIntentList', res.json);
      return res.json.items.map((/** @type {any} */ pi) => pi.id);
    };
    expect(await ids('')).toEqual([auto.id, manual.id]);
    expect(await ids('?status=requires_capture')).toEqual([manual.id]);
    expect(await ids('?status=requires_capture&status=succeeded')).toEqual([auto.id, manual.id]);
    expect(await ids('?status=canceled,requires_capture')).toEqual([manual.id]);
    expect(await ids('?customer_id=cus_x')).toEqual([auto.id]);
    expect(await ids('?metadata[k]=a')).toEqual([manual.id]);
    expect(await ids(`?q=${auto.id.slice(3, 12)}`)).toEqual([auto.id]);
    expect(await ids('?subscription_id=sub_1')).toEqual([]);
    expect(await ids(`?created_at_gte=${encodeURIComponent(auto.created_at)}`)).toEqual([auto.id]);
    expect(await ids(`?created_at_lte=${encodeURIComponent(manual.created_at)}`)).toEqual([manual.id]);
    expect(await ids('?include_connected_accounts=true')).toEqual([other.id, auto.id, manual.id]);
    const page = await api('/v1/payment-intents?offset=1&limit=1');
    expect(page.json).toMatchObject({ has_more: false, total: 2, offset: 1, limit: 1 });
    expect((await api('/v1/payment-intents?limit=500')).json.limit).toBe(100);
    const bad = await api('/v1/payment-intents?status=paid&offset=-1&colour=red');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toEqual(
      expect.arrayContaining(['property colour should not exist', 'offset must not be less than 0']),
    );
    expect(bad.json.message.some((/** @type {string} */ m) => m.startsWith('status.0 must be one of the following values'))).toBe(true);
  });

  test('capture: only from requires_capture, at most the authorized amount; the rest is released', async () => {
    const pi = fake.payments.createPaymentIntent({ amount: 1000, currency: 'usd', capture_method: 'manual' });
    expect(pi).toMatchObject({ status: 'requires_capture', amount_capturable: 1000, amount_received: 0 });
    expect(pi.charges[0]).toMatchObject({ captured: false, amount_captured: 0 });
    const tooMuch = await post(`/v1/payment-intents/${pi.id}/capture`, { amount_to_capture: 1500 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json.message).toBe('Amount to capture (1500) is greater than the amount capturable (1000)');
    const badBody = await post(`/v1/payment-intents/${pi.id}/capture`, { amount_to_capture: 0, tip: 1 });
    expect(badBody.json.message).toEqual(['property tip should not exist', 'amount_to_capture must not be less than 1']);
    const captured = await post(`/v1/payment-intents/${pi.id}/capture`, { amount_to_capture: 600, platform_fee_amount: 50 });
    expect(captured.status).toBe(201);
    expectValid('PaymentIntent', captured.json);
    expect(captured.json).toMatchObject({ status: 'succeeded', amount_capturable: 0, amount_received: 600, platform_fee_amount: 50 });
    expect(captured.json.charges[0]).toMatchObject({ captured: true, amount_captured: 600 });
    const again = await post(`/v1/payment-intents/${pi.id}/capture`, {});
    expect(again.status).toBe(400);
    expect(again.json.message).toMatch(/cannot be captured because its status is succeeded/);
    expect(fake.webhooks.events().map((e) => e.type)).toEqual([
      'payment_intent.amount_capturable_updated',
      'charge.captured',
      'payment_intent.succeeded',
    ]);
  });

  test('capture without a body captures the whole authorized amount', async () => {
    const pi = fake.payments.createPaymentIntent({ amount: 420, currency: 'eur', capture_method: 'manual' });
    const res = await api(`/v1/payment-intents/${pi.id}/capture`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.json.amount_received).toBe(420);
  });

  test('cancel: from a cancellable status with a reason; a succeeded intent is refused', async () => {
    const pi = fake.payments.createPaymentIntent({ amount: 300, currency: 'usd', capture_method: 'manual' });
    const canceled = await post(`/v1/payment-intents/${pi.id}/cancel`, { cancellation_reason: 'requested_by_customer' });
    expect(canceled.status).toBe(201);
    expectValid('PaymentIntent', canceled.json);
    expect(canceled.json).toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_customer', amount_capturable: 0 });
    expect(typeof canceled.json.canceled_at).toBe('string');
    const twice = await post(`/v1/payment-intents/${pi.id}/cancel`, {});
    expect(twice.status).toBe(400);
    expect(twice.json.message).toMatch(/cannot be canceled because its status is canceled/);
    const { intent } = await paidSession();
    const succeeded = await post(`/v1/payment-intents/${intent.id}/cancel`, {});
    expect(succeeded.json.message).toBe(
      `Payment intent ${intent.id} cannot be canceled because its status is succeeded; only a payment intent with status requires_payment_method, requires_capture, requires_confirmation, requires_action can be canceled`,
    );
    const badReason = await post(`/v1/payment-intents/${pi.id}/cancel`, { cancellation_reason: 'automatic' });
    expect(badReason.json.message[0]).toMatch(/^cancellation_reason must be one of the following values: duplicate/);
    expect(fake.webhooks.events().filter((e) => e.type === 'payment_intent.canceled')).toHaveLength(1);
  });

  test('admin: POST /_fake/payment-intents makes an authorized intent; bad params refused', async () => {
    const res = await post('/_fake/payment-intents', { amount: 5000, currency: 'usd', capture_method: 'manual' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 'requires_capture', amount_capturable: 5000 });
    expect(fake.payments.paymentIntent(res.json.id)).toEqual(res.json);
    const bad = await post('/_fake/payment-intents', { amount: 1.5, currency: 'usd', account_id: 'acct_stranger' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toEqual(['amount must be an integer number']);
    expect(() => fake.payments.createPaymentIntent({ amount: 1, currency: 'usd', account_id: 'acct_stranger' })).toThrow(
      `account_id must be ${ACCOUNT} or one of its connected accounts`,
    );
  });
});

describe('refunds', () => {
  test('partial refunds reduce what is left; more than that is refused naming the amounts', async () => {
    const { intent } = await paidSession();
    const first = await post('/v1/refunds', { payment_intent_id: intent.id, amount: 1000, reason: 'requested_by_customer', metadata: { ticket: 'T-1' } });
    expect(first.status).toBe(201);
    expectValid('Refund', first.json);
    expect(first.json).toMatchObject({
      amount: 1000,
      payment_intent_id: intent.id,
      charge_id: intent.charges[0].id,
      status: 'succeeded',
      reason: 'requested_by_customer',
      metadata: { ticket: 'T-1' },
      balance_transaction: { type: 'refund', amount: -1000, source_id: first.json.id },
    });
    const tooMuch = await post('/v1/refunds', { payment_intent_id: intent.id, amount: 1600 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json).toEqual({ statusCode: 400, message: 'Refund amount (1600) is greater than the refundable amount (1500)', error: 'Bad Request' });
    const rest = await post('/v1/refunds', { payment_intent_id: intent.id });
    expect(rest.json.amount).toBe(1500);
    const charge = (await api(`/v1/charges/${intent.charges[0].id}`)).json;
    expect(charge).toMatchObject({ amount_refunded: 2500, refunded: true });
    expect(charge.refunds.map((/** @type {any} */ r) => r.id)).toEqual([first.json.id, rest.json.id]);
    const done = await post('/v1/refunds', { payment_intent_id: intent.id, amount: 1 });
    expect(done.json.message).toBe(`Charge ${charge.id} has already been refunded`);
    expect(fake.payments.refundCount(intent.id)).toBe(2);
    expect(fake.webhooks.events().filter((e) => e.type === 'charge.refunded').map((e) => e.data.amount_refunded)).toEqual([1000, 2500]);
  });

  test('a refund needs a captured charge; bad bodies and unknown intents are refused before anything is made', async () => {
    const pi = fake.payments.createPaymentIntent({ amount: 1000, currency: 'usd', capture_method: 'manual' });
    const uncaptured = await post('/v1/refunds', { payment_intent_id: pi.id });
    expect(uncaptured.json.message).toBe(`Payment intent ${pi.id} has no captured charge to refund (its status is requires_capture)`);
    expect((await post('/v1/refunds', { payment_intent_id: 'pi_nope' })).status).toBe(404);
    const bad = await post('/v1/refunds', { amount: 0, reason: 'partial_capture' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toEqual(
      expect.arrayContaining(['payment_intent_id should not be empty', 'amount must not be less than 1']),
    );
    const notJson = await api('/v1/refunds', { method: 'POST', headers: { 'content-type': 'text/plain' } });
    expect(notJson.status).toBe(400);
    expect(fake.payments.refunds()).toEqual([]);
  });

  test('get and list (metadata filter, paging); another account\'s refund is not found', async () => {
    const { intent } = await paidSession();
    const a = (await post('/v1/refunds', { payment_intent_id: intent.id, amount: 100, metadata: { batch: '1' } })).json;
    const b = (await post('/v1/refunds', { payment_intent_id: intent.id, amount: 200, metadata: { batch: '2' } })).json;
    const got = await api(`/v1/refunds/${a.id}`);
    expect(got.json).toEqual(a);
    const list = await api('/v1/refunds?limit=1');
    expectValid('RefundList', list.json);
    expect(list.json).toMatchObject({ total: 2, has_more: true, items: [{ id: b.id }] });
    expect((await api('/v1/refunds?metadata[batch]=1')).json.items.map((/** @type {any} */ r) => r.id)).toEqual([a.id]);
    expect((await api(`/v1/refunds/${a.id}`, { headers: { 'tilled-account': OTHER_ACCOUNT } })).status).toBe(404);
    expect(fake.payments.refunds(intent.id).map((r) => r.id)).toEqual([b.id, a.id]);
  });

  test('faults apply to refunds: a reset, a cut answer or a timeout after the refund is made leave it made, and the count shows it', async () => {
    const { intent } = await paidSession();
    fake.injectFault({ match: { method: 'POST', path: '/v1/refunds' }, kind: 'reset-after' });
    await expect(post('/v1/refunds', { payment_intent_id: intent.id, amount: 500 })).rejects.toThrow();
    expect(fake.payments.refundCount(intent.id)).toBe(1);
    fake.injectFault({ match: { method: 'POST', path: '/v1/refunds' }, kind: 'truncated' });
    const cut = await post('/v1/refunds', { payment_intent_id: intent.id, amount: 500 });
    expect(cut.status).toBe(201);
    expect(cut.json).toBeUndefined();
    fake.injectFault({ match: { method: 'POST', path: '/v1/refunds' }, kind: 'status', status: 503 });
    expect((await post('/v1/refunds', { payment_intent_id: intent.id, amount: 500 })).status).toBe(503);
    fake.injectFault({ match: { method: 'POST', path: '/v1/refunds' }, kind: 'html', status: 504 });
    const proxy = await post('/v1/refunds', { payment_intent_id: intent.id, amount: 500 });
    expect([proxy.status, proxy.json]).toEqual([504, undefined]);
    // A timeout after the refund is made: the client gives up, the refund stands.
    fake.injectFault({ match: { method: 'POST', path: '/v1/refunds' }, kind: 'hang', afterStore: true });
    const hung = fetch(`${fake.url}/v1/refunds`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ payment_intent_id: intent.id, amount: 500 }),
      signal: AbortSignal.timeout(200),
    });
    await expect(hung).rejects.toThrow();
    expect(fake.payments.refundCount(intent.id)).toBe(3);
    fake.injectFault({ match: { method: 'POST', path: '/v1/refunds' }, kind: 'reset-before' });
    await expect(post('/v1/refunds', { payment_intent_id: intent.id, amount: 500 })).rejects.toThrow();
    expect(fake.payments.refundCount(intent.id)).toBe(3);
    expect(fake.payments.refundCounts()).toEqual({ [intent.id]: 3 });
    expect((await api(`/v1/payment-intents/${intent.id}`)).json.charges[0].amount_refunded).toBe(1500);
    expect(fake.faultsInjected()).toMatchObject({ 'reset-after': 1, truncated: 1, status: 1, html: 1, hang: 1, 'reset-before': 1 });
  });
});

describe('customers', () => {
  test('create, get, update (metadata merged, "" removes a key), list with metadata and q; events', async () => {
    const created = await post('/v1/customers', { first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com', metadata: { crm: 'C-1', tier: 'gold' } });
    expect(created.status).toBe(201);
    expectValid('Customer', created.json);
    expect(created.json).toMatchObject({ account_id: ACCOUNT, first_name: 'Grace', metadata: { crm: 'C-1', tier: 'gold' } });
    const other = (await post('/v1/customers', { first_name: 'Alan', phone: '+44 20 7946 0000' })).json;
    const id = created.json.id;
    expect((await api(`/v1/customers/${id}`)).json).toEqual(created.json);
    const updated = await api(`/v1/customers/${id}`, { method: 'PATCH', json: { last_name: 'Murray Hopper', metadata: { tier: '', note: 'vip' } } });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ first_name: 'Grace', last_name: 'Murray Hopper', metadata: { crm: 'C-1', note: 'vip' } });
    expect(updated.json.metadata).not.toHaveProperty('tier');
    const ids = async (/** @type {string} */ q) => (await api(`/v1/customers${q}`)).json.items.map((/** @type {any} */ c) => c.id);
    expect(await ids('')).toEqual([other.id, id]);
    expect(await ids('?q=murray')).toEqual([id]);
    expect(await ids('?q=7946')).toEqual([other.id]);
    expect(await ids('?metadata[crm]=C-1')).toEqual([id]);
    expect((await api('/v1/customers?limit=1&offset=1')).json).toMatchObject({ total: 2, has_more: false, items: [{ id }] });
    expect(fake.webhooks.events().map((e) => [e.type, e.data.id])).toEqual([
      ['customer.created', id],
      ['customer.created', other.id],
      ['customer.updated', id],
    ]);
  });

  test('bad input and unknown customers are refused; another account cannot see them', async () => {
    const bad = await post('/v1/customers', { first_name: 'x'.repeat(256), nickname: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toEqual(['property nickname should not exist', 'first_name must be shorter than or equal to 255 characters']);
    expect((await api('/v1/customers/cus_nope', { method: 'PATCH', json: {} })).json.message).toBe('Customer cus_nope not found');
    const mine = (await post('/v1/customers', { email: 'a@example.com' })).json;
    expect((await api(`/v1/customers/${mine.id}`, { headers: { 'tilled-account': OTHER_ACCOUNT } })).status).toBe(404);
    const theirs = await post('/v1/customers', {}); // an empty body is an empty customer, as NestJS reads it
    expect(theirs.status).toBe(201);
  });
});

describe('balance transactions and payouts', () => {
  test('charges, fees and refunds make pending balance transactions; a payout groups them', async () => {
    const { intent } = await paidSession();
    const refund = (await post('/v1/refunds', { payment_intent_id: intent.id, amount: 500 })).json;
    const charge = intent.charges[0];
    const list = await api('/v1/balance-transactions');
    expectValid('BalanceTransactionList', list.json);
    // 2.9% + 30 of 2,500 is 103.
    expect(list.json.items.map((/** @type {any} */ t) => [t.type, t.amount, t.source_id, t.status])).toEqual([
      ['refund', -500, refund.id, 'pending'],
      ['fee', -103, charge.id, 'pending'],
      ['charge', 2500, charge.id, 'pending'],
    ]);
    const bySource = await api(`/v1/balance-transactions?source_id=${charge.id}&type=fee`);
    expect(bySource.json.items).toHaveLength(1);

    const made = await post('/_fake/payouts', {});
    expect(made.status).toBe(201);
    expectValid('Payout', made.json);
    expect(made.json).toMatchObject({ account_id: ACCOUNT, amount: 1897, currency: 'usd', status: 'paid', balance_transaction: { type: 'payout', amount: -1897 } });
    const payoutId = made.json.id;
    const ofPayout = await api(`/v1/balance-transactions?payout_id=${payoutId}`);
    expect(ofPayout.json.items.map((/** @type {any} */ t) => [t.type, t.status])).toEqual([
      ['payout', 'available'],
      ['refund', 'available'],
      ['fee', 'available'],
      ['charge', 'available'],
    ]);
    const got = await api(`/v1/balance-transactions/${ofPayout.json.items[3].id}`);
    expectValid('BalanceTransaction', got.json);
    expect(got.json.payout_id).toBe(payoutId);
    expect((await api(`/v1/payouts/${payoutId}`)).json).toEqual(made.json);
    const nothingLeft = await post('/_fake/payouts', {});
    expect(nothingLeft.status).toBe(400);
    expect(nothingLeft.json.message).toBe(`Account ${ACCOUNT} has no balance transactions to pay out`);
    expect(fake.webhooks.events().filter((e) => e.type.startsWith('payout.')).map((e) => e.type)).toEqual(['payout.created', 'payout.paid']);
  });

  test('payout list: status, created and paid dates (not both), transaction_count; per currency', async () => {
    fake.payments.createPaymentIntent({ amount: 1000, currency: 'usd' });
    fake.payments.createPaymentIntent({ amount: 2000, currency: 'eur' });
    const pending = fake.payments.createPayout({ status: 'in_transit' });
    expect(pending).toMatchObject({ currency: 'usd', status: 'in_transit', amount: 1000 - 59 });
    expect(pending).not.toHaveProperty('paid_at');
    const paid = fake.payments.createPayout({ currency: 'eur' });
    const ids = async (/** @type {string} */ q) => {
      const res = await api(`/v1/payouts${q}`);
      expect(res.status).toBe(200);
      expectValid('PayoutList', res.json);
      return res.json.items.map((/** @type {any} */ p) => p.id);
    };
    expect(await ids('')).toEqual([paid.id, pending.id]);
    expect(await ids('?status=in_transit')).toEqual([pending.id]);
    expect(await ids(`?paid_at_gte=${encodeURIComponent(pending.created_at)}`)).toEqual([paid.id]);
    expect(await ids(`?created_at_lte=${encodeURIComponent(pending.created_at)}`)).toEqual([pending.id]);
    const both = await api(`/v1/payouts?created_at_gte=${encodeURIComponent(pending.created_at)}&paid_at_lte=${encodeURIComponent(paid.created_at)}`);
    expect(both.status).toBe(400);
    expect(both.json.message).toEqual(['created_at_gte and created_at_lte cannot be paired with paid_at_gte or paid_at_lte']);
    const counted = await api('/v1/payouts?include=transaction_count&limit=1');
    expect(counted.json.items[0].transaction_count).toBe(2);
    expect((await api('/v1/payouts?status=sent')).status).toBe(400);
    expect(() => fake.payments.createPayout({ currency: 'gbp' })).toThrow(`Account ${ACCOUNT} has no balance transactions to pay out in gbp`);
  });
});

describe('disputes', () => {
  test('an admin action opens a dispute on a charge; get and list by charge, status and dates', async () => {
    const { intent } = await paidSession();
    const charge = intent.charges[0];
    const opened = await post(`/_fake/charges/${charge.id}/dispute`, { amount: 2000, reason_description: 'Not received' });
    expect(opened.status).toBe(201);
    expectValid('Dispute', opened.json);
    expect(opened.json).toMatchObject({
      charge_id: charge.id,
      amount: 2000,
      currency: 'usd',
      status: 'needs_response',
      status_history: [{ status: 'needs_response' }],
      balance_transactions: [{ type: 'dispute', amount: -2000 }],
    });
    const second = fake.payments.openDispute(charge.id, { status: 'warning_needs_response' });
    expect(second.amount).toBe(2500);
    expect((await api(`/v1/disputes/${opened.json.id}`)).json).toEqual(opened.json);
    const ids = async (/** @type {string} */ q) => {
      const res = await api(`/v1/disputes${q}`);
      expectValid('DisputeList', res.json);
      return res.json.items.map((/** @type {any} */ d) => d.id);
    };
    expect(await ids(`?charge_id=${charge.id}`)).toEqual([second.id, opened.json.id]);
    expect(await ids('?status=needs_response,won')).toEqual([opened.json.id]);
    expect(await ids(`?created_at_gte=${encodeURIComponent(second.created_at)}`)).toEqual([second.id]);
    expect(await ids('?charge_id=ch_other')).toEqual([]);
    expect(fake.webhooks.events().filter((e) => e.type === 'dispute.created')).toHaveLength(2);
  });

  test('a dispute needs a captured charge and at most its amount; unknown charges are 404', async () => {
    const pi = fake.payments.createPaymentIntent({ amount: 900, currency: 'usd', capture_method: 'manual' });
    const uncaptured = await post(`/_fake/charges/${pi.charges[0].id}/dispute`, {});
    expect(uncaptured.json.message).toBe(`Charge ${pi.charges[0].id} has not been captured and cannot be disputed`);
    await post(`/v1/payment-intents/${pi.id}/capture`, {});
    const tooMuch = await post(`/_fake/charges/${pi.charges[0].id}/dispute`, { amount: 901 });
    expect(tooMuch.json.message).toBe('Dispute amount (901) is greater than the amount captured (900)');
    expect((await post('/_fake/charges/ch_nope/dispute', {})).status).toBe(404);
    expect((await api('/v1/disputes/dp_nope')).json.message).toBe('Dispute dp_nope not found');
  });
});

describe('events of these resources reach webhooks and GET /v1/events', () => {
  test('a refund\'s charge.refunded is delivered signed to an endpoint that enabled it and listed by type', async () => {
    /** @type {any[]} */
    const received = [];
    const http = require('node:http');
    const receiver = http.createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        received.push({ signature: req.headers['tilled-signature'], event: JSON.parse(text) });
        res.end('ok');
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(undefined)));
    try {
      const port = /** @type {import('node:net').AddressInfo} */ (receiver.address()).port;
      await post('/v1/webhook-endpoints', { url: `http://127.0.0.1:${port}/hook`, enabled_events: ['charge.refunded'] });
      const { intent } = await paidSession();
      await post('/v1/refunds', { payment_intent_id: intent.id, amount: 250 });
      await fake.webhooks.settled();
      expect(received.map((r) => [r.event.type, r.event.data.amount_refunded])).toEqual([['charge.refunded', 250]]);
      expect(received[0].signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const listed = await api('/v1/events?types[]=charge.refunded');
      expect(listed.json.items.map((/** @type {any} */ e) => e.data.id)).toEqual([intent.charges[0].id]);
    } finally {
      await new Promise((resolve) => receiver.close(() => resolve(undefined)));
    }
  });
});
