'use strict';

const path = require('node:path');
const { spawn } = require('node:child_process');
const { startFakeTilled } = require('./fake-tilled/server');
const { useFakeTilled, callFake } = require('./fake-tilled/testing');
const { getValidator, formatErrors, DEFS, SCHEMA } = require('./fake-tilled/schema');
const { OTHER_ACCOUNT } = require('./fake-tilled/webhooks');

const API_KEY = 'sk_test_unit_key_123';
const ACCOUNT = 'acct_unit';

/** @type {Awaited<ReturnType<typeof startFakeTilled>>} */
let fake;

useFakeTilled({ apiKey: API_KEY, accountId: ACCOUNT }, (started) => {
  fake = started;
});

beforeEach(() => {
  fake.sessions.reset();
  fake.clearRequests();
  fake.clearFaults();
  fake.setLatency(0);
  fake.setRateLimit(undefined);
});

const AUTH = { 'tilled-api-key': API_KEY, 'tilled-account': ACCOUNT };

/** @param {string} urlPath @param {Parameters<typeof callFake>[3]} [opts] */
const api = (urlPath, opts) => callFake(fake.url, AUTH, urlPath, opts);

function validBody(overrides = {}) {
  return {
    line_items: [
      {
        quantity: 2,
        price_data: {
          currency: 'usd',
          unit_amount: 1999,
          product_data: { name: 'T-shirt', description: 'Blue, size M', images: ['https://img.example/t.png'] },
        },
      },
      { quantity: 1.5, price_data: { currency: 'usd', unit_amount: 333, product_data: { name: 'Sticker' } } },
    ],
    payment_intent_data: { payment_method_types: ['card', 'eft_debit'], platform_fee_amount: 0, metadata: { pi: 'x' } },
    ...overrides,
  };
}

const create = (json, opts = {}) => api('/v1/checkout-sessions', { method: 'POST', json, ...opts });

describe('create', () => {
  test('valid body answers 201 with a full CheckoutSession', async () => {
    const body = validBody({
      success_url: 'https://shop.example/ok',
      cancel_url: 'https://shop.example/cancel',
      customer_id: 'cus_123',
      customer_email: 'ann@example.com',
      expires_at: '2030-01-02T03:04:05.000Z',
      metadata: { order_id: '100123', 'key with spaces.and.dots': 'v' },
    });
    const before = Date.now();
    const res = await create(body);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const s = res.json;
    expect(s.id).toMatch(/^cs_[A-Za-z0-9]{10,}$/);
    expect(s.payment_intent_id).toMatch(/^pi_[A-Za-z0-9]{10,}$/);
    expect(s.account_id).toBe(ACCOUNT);
    expect(s.amount_total).toBe(2 * 1999 + Math.round(1.5 * 333)); // 3998 + 500
    expect(s.amount_total).toBe(4498);
    expect(s.currency).toBe('usd');
    expect(s.line_items).toEqual(body.line_items);
    expect(s.payment_method_types).toEqual(['card', 'eft_debit']);
    expect(s.status).toBe('open');
    expect(s.url).toBe(`${fake.url}/checkout/${s.id}`);
    expect(Date.parse(s.created_at)).toBeGreaterThanOrEqual(before - 5);
    expect(new Date(s.created_at).toISOString()).toBe(s.created_at);
    expect(s.updated_at).toBe(s.created_at);
    expect(s.success_url).toBe(body.success_url);
    expect(s.cancel_url).toBe(body.cancel_url);
    expect(s.customer_id).toBe('cus_123');
    expect(s.customer_details).toEqual({ email: 'ann@example.com' });
    expect(s.expires_at).toBe(body.expires_at);
    expect(s.metadata).toEqual(body.metadata);
    expect(s).not.toHaveProperty('payment_intent_data');
    expect(fake.sessions.sessionCount()).toBe(1);
    expect(fake.sessions.getSession(s.id)).toEqual(s);
    const validate = getValidator(DEFS.session);
    expect(validate(s)).toBe(true);
  });

  test('optional fields are absent when not given, metadata defaults to {}', async () => {
    const res = await create({
      line_items: [{ quantity: 1, price_data: { currency: 'jpy', unit_amount: 500, product_data: { name: 'Tea' } } }],
      payment_intent_data: { payment_method_types: ['card'] },
    });
    expect(res.status).toBe(201);
    expect(res.json.metadata).toEqual({});
    expect(res.json.amount_total).toBe(500);
    expect(res.json.currency).toBe('jpy');
    for (const key of ['success_url', 'cancel_url', 'customer_id', 'customer_details', 'expires_at']) {
      expect(res.json).not.toHaveProperty(key);
    }
  });

  test('quantities with up to 4 decimals are accepted despite float error', async () => {
    for (const quantity of [0.0001, 0.3, 1.2345, 2.0001, 99999.9999]) {
      const res = await create(validBody({
        line_items: [{ quantity, price_data: { currency: 'usd', unit_amount: 100, product_data: { name: 'n' } } }],
      }));
      expect([quantity, res.status]).toEqual([quantity, 201]);
      expect(res.json.amount_total).toBe(Math.round(100 * quantity));
    }
  });

  test('session ids are distinct', async () => {
    const ids = new Set();
    for (let i = 0; i < 5; i++) ids.add((await create(validBody())).json.id);
    expect(ids.size).toBe(5);
  });

  const item = (price = {}, extra = {}) => ({
    quantity: 1,
    price_data: { currency: 'usd', unit_amount: 100, product_data: { name: 'n' }, ...price },
    ...extra,
  });
  const withItem = (it) => validBody({ line_items: [it] });
  const withProduct = (product) => withItem(item({ product_data: { name: 'n', ...product } }));
  const withPi = (pi) => validBody({ payment_intent_data: { payment_method_types: ['card'], ...pi } });
  const manyKeys = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

  const INVALID = [
    ['missing line_items', (() => { const b = validBody(); delete b.line_items; return b; })(), 'line_items should not be empty'],
    ['empty line_items', validBody({ line_items: [] }), 'line_items must contain at least 1 elements'],
    ['101 line_items', validBody({ line_items: Array.from({ length: 101 }, () => item()) }), 'line_items must contain no more than 100 elements'],
    ['line_items not an array', validBody({ line_items: {} }), 'line_items must be an array'],
    ['quantity 0', withItem(item({}, { quantity: 0 })), 'line_items.0.quantity must not be less than 0.0001'],
    ['quantity 5 decimals', withItem(item({}, { quantity: 1.00001 })), 'line_items.0.quantity must have at most 4 decimal places'],
    ['quantity string', withItem(item({}, { quantity: '1' })), 'line_items.0.quantity must be a number'],
    ['missing quantity', withItem({ price_data: item().price_data }), 'line_items.0.quantity should not be empty'],
    ['unit_amount 0', withItem(item({ unit_amount: 0 })), 'line_items.0.price_data.unit_amount must not be less than 1'],
    ['unit_amount too big', withItem(item({ unit_amount: 100000000 })), 'line_items.0.price_data.unit_amount must not be greater than 99999999'],
    ['unit_amount fractional', withItem(item({ unit_amount: 10.5 })), 'line_items.0.price_data.unit_amount must be an integer'],
    ['currency upper case', withItem(item({ currency: 'USD' })), 'line_items.0.price_data.currency must be one of the following values'],
    ['currency missing', withItem({ quantity: 1, price_data: { unit_amount: 1, product_data: { name: 'n' } } }), 'line_items.0.price_data.currency should not be empty'],
    ['product name missing', withItem(item({ product_data: {} })), 'line_items.0.price_data.product_data.name should not be empty'],
    ['product name empty', withProduct({ name: '' }), 'line_items.0.price_data.product_data.name should not be empty'],
    ['description 501', withProduct({ description: 'd'.repeat(501) }), 'line_items.0.price_data.product_data.description must be shorter than or equal to 500 characters'],
    ['9 images', withProduct({ images: Array.from({ length: 9 }, (_, i) => `https://i.example/${i}.png`) }), 'line_items.0.price_data.product_data.images must contain no more than 8 elements'],
    ['ftp image', withProduct({ images: ['ftp://i.example/a.png'] }), 'line_items.0.price_data.product_data.images.0 must be an http or https URL'],
    ['non-URL image', withProduct({ images: ['https://ok.example/a.png', 'not a url'] }), 'line_items.0.price_data.product_data.images.1 must be an http or https URL'],
    ['product typo', withProduct({ nmae: 'x' }), 'property line_items.0.price_data.product_data.nmae should not exist'],
    ['line item typo', withItem(item({}, { qty: 1 })), 'property line_items.0.qty should not exist'],
    ['missing payment_intent_data', (() => { const b = validBody(); delete b.payment_intent_data; return b; })(), 'payment_intent_data should not be empty'],
    ['missing payment_method_types', validBody({ payment_intent_data: {} }), 'payment_intent_data.payment_method_types should not be empty'],
    ['empty payment_method_types', withPi({ payment_method_types: [] }), 'payment_intent_data.payment_method_types must contain at least 1 elements'],
    ['unknown payment method', withPi({ payment_method_types: ['card', 'paypal'] }), 'payment_intent_data.payment_method_types.1 must be one of the following values: card, ach_debit, eft_debit'],
    ['card_present (hosted checkout takes no in-person payment)', withPi({ payment_method_types: ['card_present'] }), 'payment_intent_data.payment_method_types.0 must be one of the following values: card, ach_debit, eft_debit'],
    ['negative platform fee', withPi({ platform_fee_amount: -1 }), 'payment_intent_data.platform_fee_amount must not be less than 0'],
    ['fractional platform fee', withPi({ platform_fee_amount: 1.5 }), 'payment_intent_data.platform_fee_amount must be an integer'],
    ['payment_intent_data metadata number', withPi({ metadata: { a: 1 } }), 'payment_intent_data.metadata.a must be a string'],
    ['payment_intent_data metadata 51 keys', withPi({ metadata: manyKeys(51) }), 'payment_intent_data.metadata must not have more than 50 keys'],
    ['metadata 51 keys', validBody({ metadata: manyKeys(51) }), 'metadata must not have more than 50 keys'],
    ['metadata key 41 chars', validBody({ metadata: { ['k'.repeat(41)]: 'v' } }), `metadata key "${'k'.repeat(41)}" must be shorter than or equal to 40 characters`],
    ['metadata value 501 chars', validBody({ metadata: { a: 'v'.repeat(501) } }), 'metadata.a must be shorter than or equal to 500 characters'],
    ['metadata value number', validBody({ metadata: { a: 5 } }), 'metadata.a must be a string'],
    ['metadata not object', validBody({ metadata: 'x' }), 'metadata must be an object'],
    ['expires_at not a date-time', validBody({ expires_at: 'tomorrow' }), 'expires_at must be a valid ISO 8601 date string'],
    ['top-level typo', validBody({ sucess_url: 'https://x' }), 'property sucess_url should not exist'],
    ['customer_email number', validBody({ customer_email: 5 }), 'customer_email must be a string'],
    ['body is an array', [], 'body must be an object'],
    [
      'mixed currencies',
      validBody({ line_items: [item(), item({ currency: 'eur' })] }),
      'line_items must all use the same currency; found usd, eur',
    ],
  ];

  test.each(INVALID)('%s → 400 naming the field', async (_name, body, expected) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.json.statusCode).toBe(400);
    expect(res.json.error).toBe('Bad Request');
    expect(Array.isArray(res.json.message)).toBe(true);
    expect(res.json.message.some((m) => m.startsWith(expected))).toBe(true);
    expect(fake.sessions.sessionCount()).toBe(0);
  });

  test('one message per problem, all problems reported', async () => {
    const body = validBody({ metadata: { a: 1 }, expires_at: 'x' });
    body.line_items[0].price_data.unit_amount = 0;
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.json.message).toEqual([
      'line_items.0.price_data.unit_amount must not be less than 1',
      'expires_at must be a valid ISO 8601 date string',
      'metadata.a must be a string',
    ]);
  });

  test('invalid JSON, missing body and wrong content-type answer 400', async () => {
    const bad = await api('/v1/checkout-sessions', {
      method: 'POST',
      rawBody: '{"line_items": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(bad.json.message).toMatch(/JSON/);

    const empty = await api('/v1/checkout-sessions', { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);

    const form = await api('/v1/checkout-sessions', {
      method: 'POST',
      rawBody: JSON.stringify(validBody()),
      headers: { 'content-type': 'text/plain' },
    });
    expect(form.status).toBe(400);
    expect(form.json.message).toMatch(/application\/json/);
    expect(fake.sessions.sessionCount()).toBe(0);

    const charset = await api('/v1/checkout-sessions', {
      method: 'POST',
      rawBody: JSON.stringify(validBody()),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(charset.status).toBe(201);
  });
});

describe('authentication', () => {
  const ROUTES = [
    ['POST', '/v1/checkout-sessions'],
    ['GET', '/v1/checkout-sessions'],
    ['GET', '/v1/checkout-sessions/cs_x'],
    ['POST', '/v1/checkout-sessions/cs_x/expire'],
  ];

  test.each(ROUTES)('%s %s: missing or wrong key → 401, key never echoed', async (method, p) => {
    const missing = await api(p, { method, auth: false, headers: { 'tilled-account': ACCOUNT } });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
    const wrong = await api(p, { method, headers: { 'tilled-api-key': 'sk_test_wrong_key' } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('sk_test_wrong_key');
    expect(wrong.text).not.toContain(API_KEY);
  });

  test.each(ROUTES)('%s %s: missing account → 400, other account → 403', async (method, p) => {
    const missing = await api(p, { method, auth: false, headers: { 'tilled-api-key': API_KEY } });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe('Bad Request');
    expect(missing.json.message).toMatch(/tilled-account header is required/);
    const other = await api(p, { method, headers: { 'tilled-account': 'acct_someone_else' } });
    expect(other.status).toBe(403);
    expect(other.json).toEqual({ statusCode: 403, message: 'Forbidden resource', error: 'Forbidden' });
    expect(other.text).not.toContain(API_KEY);
  });

  test('a wrong key on create stores nothing', async () => {
    const res = await create(validBody(), { headers: { 'tilled-api-key': 'nope' } });
    expect(res.status).toBe(401);
    expect(fake.sessions.sessionCount()).toBe(0);
  });
});

describe('connected accounts (the key is a partner account)', () => {
  const CONNECTED = OTHER_ACCOUNT;
  const asConnected = { headers: { 'tilled-account': CONNECTED } };

  test('the partner key with tilled-account of a connected account acts on that account\'s sessions only', async () => {
    expect(fake.connectedAccounts).toEqual([CONNECTED]);
    const [own] = fake.sessions.seedSessions(1);
    const [theirs] = fake.sessions.seedSessions(1, { account_id: CONNECTED });
    expect((await api(`/v1/checkout-sessions/${theirs.id}`, asConnected)).json).toEqual(theirs);
    expect((await api(`/v1/checkout-sessions?payment_intent_id=${theirs.payment_intent_id}`, asConnected)).json.items).toEqual([theirs]);
    expect((await api('/v1/checkout-sessions', asConnected)).json).toMatchObject({ items: [theirs], total: 1 });
    // Each account sees only its own: the other's session is not found.
    expect((await api(`/v1/checkout-sessions/${theirs.id}`)).status).toBe(404);
    expect((await api(`/v1/checkout-sessions?payment_intent_id=${theirs.payment_intent_id}`)).json).toMatchObject({ items: [], total: 0 });
    expect((await api('/v1/checkout-sessions')).json).toMatchObject({ items: [own], total: 1 });
    expect((await api(`/v1/checkout-sessions/${own.id}`, asConnected)).status).toBe(404);
    expect((await api(`/v1/checkout-sessions/${own.id}/expire`, { method: 'POST', ...asConnected })).status).toBe(404);
    expect((await api(`/v1/checkout-sessions/${theirs.id}/expire`, { method: 'POST', ...asConnected })).json.status).toBe('expired');
    const created = await create(validBody(), asConnected);
    expect(created.status).toBe(201);
    expect(created.json.account_id).toBe(CONNECTED);
  });

  test('an account not connected to the key gets 403; webhook and event routes act for the key\'s own account only', async () => {
    const [foreign] = fake.sessions.seedSessions(1, { account_id: 'acct_not_connected' });
    const res = await api(`/v1/checkout-sessions/${foreign.id}`, { headers: { 'tilled-account': 'acct_not_connected' } });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain(API_KEY);
    expect((await api('/v1/events', asConnected)).status).toBe(403);
    expect((await api('/v1/webhook-endpoints', asConnected)).status).toBe(403);
  });

  test('events of connected accounts are listed with the partner\'s, other accounts\' are not', async () => {
    fake.webhooks.reset();
    const mine = fake.webhooks.recordEvent({ type: 'charge.failed', data: { id: 'ch_1' } });
    const theirs = fake.webhooks.recordEvent({ type: 'charge.failed', data: { id: 'ch_2' }, account_id: CONNECTED });
    fake.webhooks.recordEvent({ type: 'charge.failed', data: { id: 'ch_3' }, account_id: 'acct_not_connected' });
    expect((await api('/v1/events')).json.items).toEqual([theirs, mine]);
    fake.webhooks.reset();
  });

  test('a session\'s account cannot change; bad connectedAccounts are refused', async () => {
    const [session] = fake.sessions.seedSessions(1);
    expect(() => fake.sessions.updateSession(session.id, { account_id: CONNECTED })).toThrow(/account cannot change/);
    await expect(startFakeTilled({ accountId: 'acct_a', connectedAccounts: ['acct_a'] })).rejects.toThrow(/connectedAccounts/);
  });
});

describe('get and expire', () => {
  test('get returns the session, unknown id → 404 Tilled shape', async () => {
    const created = (await create(validBody())).json;
    const got = await api(`/v1/checkout-sessions/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(created);
    const missing = await api('/v1/checkout-sessions/cs_doesnotexist');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      statusCode: 404,
      message: 'Checkout session cs_doesnotexist not found',
      error: 'Not Found',
    });
  });

  test('expire open → 201 expired; again → 400 stating the status', async () => {
    const created = (await create(validBody())).json;
    await new Promise((r) => setTimeout(r, 3));
    const expired = await api(`/v1/checkout-sessions/${created.id}/expire`, { method: 'POST' });
    expect(expired.status).toBe(201);
    expect(expired.json.status).toBe('expired');
    expect(expired.json.id).toBe(created.id);
    expect(Date.parse(expired.json.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    expect(expired.json.created_at).toBe(created.created_at);
    expect((await api(`/v1/checkout-sessions/${created.id}`)).json.status).toBe('expired');

    const again = await api(`/v1/checkout-sessions/${created.id}/expire`, { method: 'POST' });
    expect(again.status).toBe(400);
    expect(again.json.error).toBe('Bad Request');
    expect(again.json.message).toBe(`Checkout session ${created.id} cannot be expired because its status is expired`);
  });

  test('expire a complete session → 400 naming complete; unknown → 404; {} body accepted', async () => {
    const a = (await create(validBody())).json;
    fake.sessions.setStatus(a.id, 'complete');
    const res = await api(`/v1/checkout-sessions/${a.id}/expire`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/status is complete/);
    expect(fake.sessions.getSession(a.id).status).toBe('complete');

    const unknown = await api('/v1/checkout-sessions/cs_nope/expire', { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toBe('Checkout session cs_nope not found');

    const b = (await create(validBody())).json;
    const withBody = await api(`/v1/checkout-sessions/${b.id}/expire`, { method: 'POST', json: {} });
    expect(withBody.status).toBe(201);
    expect(withBody.json.status).toBe('expired');
  });

  test('unknown routes and wrong methods → 404 Tilled shape', async () => {
    const created = (await create(validBody())).json;
    const cases = [
      ['GET', '/v1/nothing-here'],
      ['PUT', `/v1/checkout-sessions/${created.id}`],
      ['DELETE', `/v1/checkout-sessions/${created.id}`],
      ['GET', `/v1/checkout-sessions/${created.id}/expire`],
      ['PATCH', '/v1/checkout-sessions'],
      ['POST', `/v1/checkout-sessions/${created.id}/cancel`],
    ];
    for (const [method, p] of cases) {
      const res = await api(p, { method });
      expect([method, p, res.status]).toEqual([method, p, 404]);
      expect(res.json).toEqual({ statusCode: 404, message: `Cannot ${method} ${p}`, error: 'Not Found' });
    }
    expect(fake.sessions.getSession(created.id).status).toBe('open');
  });
});

describe('list', () => {
  const list = (qs) => api(`/v1/checkout-sessions${qs ? `?${qs}` : ''}`);

  function seedMix() {
    return fake.sessions.seedSessions(40, (i) => ({
      metadata: { shop: i % 2 ? 'odd' : 'even', bucket: String(i % 4), 'key with space.dot': i === 7 ? 'a b&c=d' : 'x' },
      ...(i % 5 === 0 ? { customer_id: 'cus_five' } : {}),
    }));
  }

  test('metadata filter (one key, two keys AND, encoded key/value)', async () => {
    const seeded = seedMix();
    const odd = await list('metadata[shop]=odd&limit=100');
    expect(odd.status).toBe(200);
    expect(odd.json.total).toBe(20);
    expect(odd.json.items.every((s) => s.metadata.shop === 'odd')).toBe(true);

    const both = await list('metadata[shop]=odd&metadata[bucket]=3&limit=100');
    expect(both.json.total).toBe(10);
    expect(both.json.items.every((s) => s.metadata.shop === 'odd' && s.metadata.bucket === '3')).toBe(true);
    const none = await list('metadata[shop]=even&metadata[bucket]=3');
    expect(none.json.total).toBe(0);
    expect(none.json.items).toEqual([]);
    expect(none.json.has_more).toBe(false);

    const key = encodeURIComponent('metadata[key with space.dot]');
    const encoded = await list(`${key}=${encodeURIComponent('a b&c=d')}`);
    expect(encoded.json.items.map((s) => s.id)).toEqual([seeded[7].id]);
    const plus = await list('metadata[key+with+space.dot]=a+b%26c%3Dd');
    expect(plus.json.items.map((s) => s.id)).toEqual([seeded[7].id]);
  });

  test('payment_intent_id and customer_id filters', async () => {
    const seeded = seedMix();
    const byPi = await list(`payment_intent_id=${seeded[12].payment_intent_id}`);
    expect(byPi.json.total).toBe(1);
    expect(byPi.json.items[0].id).toBe(seeded[12].id);
    const byCustomer = await list('customer_id=cus_five');
    expect(byCustomer.json.items.map((s) => s.id)).toEqual([35, 30, 25, 20, 15, 10, 5, 0].map((i) => seeded[i].id));
    const combined = await list('customer_id=cus_five&metadata[shop]=odd');
    expect(combined.json.items.map((s) => s.id)).toEqual([35, 25, 15, 5].map((i) => seeded[i].id));
    expect((await list('payment_intent_id=pi_unknown')).json.total).toBe(0);
  });

  test('paging over 250 sessions: newest first, offset/limit, has_more, total', async () => {
    const seeded = fake.sessions.seedSessions(250);
    expect(new Set(seeded.map((s) => s.id)).size).toBe(250);
    for (let i = 1; i < seeded.length; i++) {
      expect(Date.parse(seeded[i].created_at)).toBeGreaterThan(Date.parse(seeded[i - 1].created_at));
    }
    const newestFirst = seeded.map((s) => s.id).reverse();
    const seen = [];
    let offset = 0;
    let pages = 0;
    for (;;) {
      const res = await list(`offset=${offset}&limit=60`);
      expect(res.status).toBe(200);
      expect(res.json.total).toBe(250);
      expect(res.json.offset).toBe(offset);
      expect(res.json.limit).toBe(60);
      seen.push(...res.json.items.map((s) => s.id));
      pages++;
      expect(res.json.has_more).toBe(seen.length < 250);
      if (!res.json.has_more) break;
      offset += res.json.items.length;
    }
    expect(pages).toBe(5);
    expect(seen).toEqual(newestFirst);

    const def = await list('');
    expect(def.json.limit).toBe(30);
    expect(def.json.offset).toBe(0);
    expect(def.json.items).toHaveLength(30);
    expect(def.json.items[0].id).toBe(newestFirst[0]);

    const capped = await list('limit=500');
    expect(capped.status).toBe(200);
    expect(capped.json.limit).toBe(100);
    expect(capped.json.items).toHaveLength(100);
    expect(capped.json.has_more).toBe(true);

    const past = await list('offset=300');
    expect(past.json.items).toEqual([]);
    expect(past.json.has_more).toBe(false);
    expect(past.json.total).toBe(250);

    const filteredPage = await list('offset=2&limit=2&metadata[none]=x');
    expect(filteredPage.json.total).toBe(0);
  });

  test('created sessions list newest first after seeded ones', async () => {
    fake.sessions.seedSessions(3);
    const created = (await create(validBody())).json;
    const res = await list('limit=1');
    expect(res.json.items[0].id).toBe(created.id);
  });

  test.each([
    ['foo=1', 'property foo should not exist'],
    ['status=open', 'property status should not exist'],
    ['offset=-1', 'offset must not be less than 0'],
    ['offset=abc', 'offset must be an integer number'],
    ['limit=0', 'limit must not be less than 1'],
    ['limit=1.5', 'limit must be an integer number'],
    ['limit=1&limit=2', 'limit must be an integer number'],
    ['metadata=x', 'metadata must be an object'],
    ['metadata[a]=1&metadata[a]=2', 'metadata.a must be a string'],
    ['metadata[a][b]=1', 'property metadata[a][b] should not exist'],
    ['customer_id=%E0%A4%A', 'is not correctly URL-encoded'],
  ])('bad query %s → 400', async (qs, expected) => {
    const res = await list(qs);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('Bad Request');
    expect(res.json.message.some((m) => m.includes(expected))).toBe(true);
  });

  test('list response matches the list schema', async () => {
    fake.sessions.seedSessions(5);
    const res = await list('limit=3');
    const validate = getValidator(DEFS.list);
    expect(validate(res.json)).toBe(true);
    expect(res.json.items).toHaveLength(3);
  });
});

describe('request ids and recording', () => {
  test('every response has a unique request-id header', async () => {
    const responses = [
      await create(validBody()),
      await api('/v1/checkout-sessions'),
      await api('/v1/checkout-sessions/cs_missing'),
      await api('/v1/checkout-sessions', { auth: false }),
      await api('/v1/unknown'),
      await create({}),
    ];
    const ids = responses.map((r) => r.headers.get('request-id'));
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('requests are recorded with parsed query, headers, body and status', async () => {
    const body = validBody();
    const created = await create(body, { headers: { 'X-Custom': 'Yes' } });
    const listed = await api('/v1/checkout-sessions?metadata[order%20id]=7&metadata[b]=x%20y&limit=5');
    expect(fake.requests).toHaveLength(2);
    const [post, get] = fake.requests;
    expect(post).toMatchObject({ method: 'POST', path: '/v1/checkout-sessions', rawQuery: '', query: {}, status: 201 });
    expect(post.body).toEqual(body);
    expect(post.rawBody).toBe(JSON.stringify(body));
    expect(post.headers['tilled-account']).toBe(ACCOUNT);
    expect(post.headers['x-custom']).toBe('Yes');
    expect(post.requestId).toBe(created.headers.get('request-id'));
    expect(get.path).toBe('/v1/checkout-sessions');
    expect(get.rawQuery).toBe('metadata[order%20id]=7&metadata[b]=x%20y&limit=5');
    expect(get.query).toEqual({ metadata: { 'order id': '7', b: 'x y' }, limit: '5' });
    expect(get.body).toBeUndefined();
    expect(get.status).toBe(200);
    expect(get.requestId).toBe(listed.headers.get('request-id'));
    fake.clearRequests();
    expect(fake.requests).toHaveLength(0);
  });
});

describe('faults and latency', () => {
  test('an injected status fault is answered once, then normal service resumes', async () => {
    const handle = fake.injectFault({ match: { method: 'POST', path: '/v1/checkout-sessions' }, kind: 'status', status: 503 });
    expect(handle.remaining).toBe(1);
    const listed = await api('/v1/checkout-sessions'); // GET does not match
    expect(listed.status).toBe(200);
    const first = await create(validBody());
    expect(first.status).toBe(503);
    expect(first.json).toEqual({ statusCode: 503, message: 'Service Unavailable', error: 'Service Unavailable' });
    expect(first.headers.get('request-id')).toMatch(/^req_/);
    expect(fake.sessions.sessionCount()).toBe(0);
    expect(handle.remaining).toBe(0);
    const second = await create(validBody());
    expect(second.status).toBe(201);
    expect(fake.sessions.sessionCount()).toBe(1);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 503, 201]);
    expect(fake.requests[1].fault).toBe('status');
  });

  test('fault with body, headers, RegExp path and times', async () => {
    fake.injectFault({
      match: { path: /^\/v1\/checkout-sessions\/[^/]+$/ },
      times: 2,
      kind: 'status',
      status: 429,
      headers: { 'Retry-After': '2' },
      body: { statusCode: 429, message: 'Too Many Requests' },
    });
    const a = await api('/v1/checkout-sessions/cs_1');
    const b = await api('/v1/checkout-sessions/cs_2', { auth: false });
    const c = await api('/v1/checkout-sessions/cs_3');
    expect([a.status, b.status, c.status]).toEqual([429, 429, 404]);
    expect(a.headers.get('retry-after')).toBe('2');
    expect(a.json).toEqual({ statusCode: 429, message: 'Too Many Requests' });
  });

  test('clearFaults removes pending faults; bad faults are refused', async () => {
    fake.injectFault({ match: {}, kind: 'status', status: 500, times: Infinity });
    expect((await api('/v1/checkout-sessions')).status).toBe(500);
    fake.clearFaults();
    expect((await api('/v1/checkout-sessions')).status).toBe(200);
    expect(() => fake.injectFault({ kind: 'nope' })).toThrow(/unknown kind/);
    expect(() => fake.injectFault({ kind: 'status', status: 1000 })).toThrow(/status/);
  });

  test('latency delays responses', async () => {
    fake.setLatency(150);
    const t0 = Date.now();
    const res = await api('/v1/checkout-sessions');
    fake.setLatency(0);
    expect(res.status).toBe(200);
    // A lower bound only: the delay happened (how fast an undelayed answer is, is the bench's business).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(() => fake.setLatency(-1)).toThrow(/latency/);
  });
});

describe('rate limit', () => {
  test('allows N requests per rolling second, then 429 with Retry-After in Tilled\'s error shape', async () => {
    fake.setRateLimit(3);
    const before = fake.rateLimited();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await api('/v1/checkout-sessions?limit=1'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3].headers.get('retry-after')).toBe('1');
    expect(answers[3].json).toEqual({ statusCode: 429, message: 'Too many requests', error: 'Too Many Requests' });
    expect(fake.rateLimited() - before).toBe(2);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    // The hosted checkout page is not the API: not limited. Without a limit every request passes again.
    expect((await api('/checkout/cs_none')).status).toBe(404);
    fake.setRateLimit(undefined);
    expect((await api('/v1/checkout-sessions?limit=1')).status).toBe(200);
    expect(() => fake.setRateLimit(0)).toThrow(/whole number/);
  });

  test('counts the TCP connections it accepted', async () => {
    const before = fake.connectionsOpened();
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise((resolve, reject) => {
        http.get(`${fake.url}/checkout/cs_none`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
      });
    await get();
    await get();
    agent.destroy();
    expect(fake.connectionsOpened() - before).toBe(1);
  });
});

describe('store helpers and options', () => {
  test('seedSessions with overrides, setStatus, reset', () => {
    const seeded = fake.sessions.seedSessions(3, { customer_id: 'cus_a', metadata: { tag: 't' } });
    expect(fake.sessions.sessionCount()).toBe(3);
    expect(seeded.every((s) => s.customer_id === 'cus_a' && s.metadata.tag === 't')).toBe(true);
    expect(fake.sessions.listSessions().map((s) => s.id)).toEqual(seeded.map((s) => s.id).reverse());
    const updated = fake.sessions.setStatus(seeded[0].id, 'complete');
    expect(updated.status).toBe('complete');
    expect(fake.sessions.getSession(seeded[0].id).status).toBe('complete');
    expect(() => fake.sessions.setStatus(seeded[0].id, 'paid')).toThrow(/status/);
    expect(() => fake.sessions.seedSessions(1, { amount_total: -5 })).toThrow(/invalid CheckoutSession/);
    fake.sessions.reset();
    expect(fake.sessions.sessionCount()).toBe(0);
    expect(fake.sessions.getSession(seeded[1].id)).toBeUndefined();
  });

  test('stored sessions are immutable', () => {
    const [s] = fake.sessions.seedSessions(1);
    expect(() => {
      s.status = 'complete';
    }).toThrow(TypeError);
    expect(fake.sessions.getSession(s.id).status).toBe('open');
  });

  test('refuses non-loopback hosts', async () => {
    await expect(startFakeTilled({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
    await expect(startFakeTilled({ host: '192.168.1.10' })).rejects.toThrow(/loopback/);
  });

  test('publicBaseUrl sets session urls; close ends delayed requests', async () => {
    const other = await startFakeTilled({ publicBaseUrl: 'https://checkout.example/', latencyMs: 10000 });
    const [s] = other.sessions.seedSessions(1);
    expect(s.url).toBe(`https://checkout.example/checkout/${s.id}`);
    const pending = fetch(`${other.url}/v1/health`).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    await other.close();
    // The request held by the 10 s latency was ended by close, not answered after it.
    expect(await pending).toBe('failed');
    expect(other.requests.map((r) => r.status)).toEqual([undefined]);
  });

  test('schema file has the expected definitions; card_present is not a checkout session payment method', () => {
    expect(Object.keys(SCHEMA.$defs)).toEqual(
      expect.arrayContaining(Object.values(DEFS)),
    );
    expect(SCHEMA.$defs.PaymentMethodType.enum).toEqual(['card', 'ach_debit', 'eft_debit']);
    expect(formatErrors([{ instancePath: '/a/0', keyword: 'minimum', params: { limit: 1 }, schemaPath: '', message: '' }])).toEqual([
      'a.0 must not be less than 1',
    ]);
  });
});

describe('CLI', () => {
  test('prints one JSON line, serves requests, stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [path.join(__dirname, 'fake-tilled', 'server.js'), '--port', '0', '--api-key', 'sk_cli', '--account-id', 'acct_cli', '--seed', '7'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      const line = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line from CLI; stderr: ${stderr}`)), 10000);
        child.stdout.on('data', (d) => {
          stdout += d;
          const nl = stdout.indexOf('\n');
          if (nl >= 0) {
            clearTimeout(timer);
            resolve(stdout.slice(0, nl));
          }
        });
        child.on('exit', () => reject(new Error(`CLI exited early; stderr: ${stderr}`)));
      });
      const info = JSON.parse(line);
      expect(info).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), apiKey: 'sk_cli', accountId: 'acct_cli' });
      const res = await fetch(`${info.url}/v1/checkout-sessions?limit=1`, {
        headers: { 'tilled-api-key': 'sk_cli', 'tilled-account': 'acct_cli' },
      });
      expect(res.status).toBe(200);
      expect((await res.json()).total).toBe(7);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stderr).toBe('');
  });

  test('unknown option exits non-zero with a message on stderr', async () => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fake-tilled', 'server.js'), '--bogus', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/unknown option --bogus/);
  });
});
