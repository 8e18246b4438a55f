// The credential as n8n applies and tests it, and the "From List" search of the locator.
import { LoadOptionsContext } from 'n8n-core';
import { Workflow, type INode } from 'n8n-workflow';
import { TilledApi } from '../../credentials/TilledApi.credentials';
import { TilledCheckoutSessions } from '../../nodes/Tilled/TilledCheckoutSessions.node';
import { tilledBaseUrl } from '../../nodes/Tilled/transport';
import { ACCOUNT_ID, API_KEY, useFakeTilled, type FakeTilled } from '../harness/fake';
import { additionalDataFor, NODE_TYPE, nodeTypes, testCredential, type TilledCredentialData } from '../harness/n8n';

let fake: FakeTilled;
let credentials: TilledCredentialData;
useFakeTilled((started) => ({ fake, credentials } = started));

describe('credential test (GET /v1/checkout-sessions?limit=1 through n8n-core RoutingNode)', () => {
	test('a good credential passes, with both headers and limit=1', async () => {
		expect(await testCredential(credentials)).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(fake.requests).toHaveLength(1);
		expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/v1/checkout-sessions', query: { limit: '1' } });
		expect(fake.requests[0].headers['tilled-api-key']).toBe(API_KEY);
		expect(fake.requests[0].headers['tilled-account']).toBe(ACCOUNT_ID);
	});

	test('a wrong key (or a key of the other environment) says so', async () => {
		const result = await testCredential({ ...credentials, apiKey: 'sk_live_wrongKey8842aa' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/rejected the API key \(401\).*Environment matches it/);
	});

	test('a wrong account says so', async () => {
		const result = await testCredential({ ...credentials, accountId: 'acct_someone_else' });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/may not act for this Account ID \(403\)/) });
	});

	test('a base URL that is not Tilled says so', async () => {
		const result = await testCredential({ ...credentials, baseUrl: `${fake.url}/not-tilled` });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/No Tilled API answers at this base URL \(404\)/) });
	});

	test('a base URL with a trailing slash works', async () => {
		expect((await testCredential({ ...credentials, baseUrl: `${fake.url}/` })).status).toBe('OK');
	});

	test('the credential applies the two headers itself, keeping the request\'s own', async () => {
		const authenticate = new TilledApi().authenticate as (c: object, r: object) => Promise<{ headers: object }>;
		const request = { url: '/v1/checkout-sessions', headers: { accept: 'application/json' } };
		expect((await authenticate({ apiKey: 'sk_1', accountId: 'acct_1' }, request)).headers).toEqual({
			accept: 'application/json',
			'tilled-api-key': 'sk_1',
			'tilled-account': 'acct_1',
		});
	});

	test('a tilled-account the request carries (a connected account) is kept, in any letter case; empty falls back', async () => {
		const authenticate = new TilledApi().authenticate as (c: object, r: object) => Promise<{ headers: object }>;
		const credential = { apiKey: 'sk_1', accountId: 'acct_partner' };
		for (const name of ['tilled-account', 'Tilled-Account']) {
			const request = { url: '/v1/checkout-sessions', headers: { [name]: 'acct_connected' } };
			expect((await authenticate(credential, request)).headers).toEqual({ 'tilled-api-key': 'sk_1', 'tilled-account': 'acct_connected' });
		}
		const empty = { url: '/v1/checkout-sessions', headers: { 'tilled-account': '' } };
		expect((await authenticate(credential, empty)).headers).toEqual({ 'tilled-api-key': 'sk_1', 'tilled-account': 'acct_partner' });
	});

	test('environments map to Tilled base URLs', () => {
		expect(tilledBaseUrl({ environment: 'sandbox' })).toBe('https://sandbox-api.tilled.com');
		expect(tilledBaseUrl({ environment: 'production' })).toBe('https://api.tilled.com');
		expect(tilledBaseUrl({ environment: 'custom', baseUrl: 'http://127.0.0.1:4010//' })).toBe('http://127.0.0.1:4010');
	});
});

describe('From List search of the Checkout Session locator', () => {
	function loadOptionsContext(): LoadOptionsContext {
		const node: INode = {
			id: 'n',
			name: 'Tilled',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { operation: 'get' },
			credentials: { tilledApi: { id: 'cred-1', name: 'Tilled test' } },
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: nodeTypes({ [NODE_TYPE]: new TilledCheckoutSessions() }),
		});
		return new LoadOptionsContext(workflow, node, additionalDataFor(credentials), 'parameters.checkoutSessionId');
	}

	test('lists newest first, 100 a page, with a token for the next page, and filters by text', async () => {
		const sessions = fake.sessions.seedSessions(130, (i: number) => ({ customer_details: { email: `buyer${i}@example.com` } }));
		const search = new TilledCheckoutSessions().methods.listSearch.searchCheckoutSessions;
		const context = loadOptionsContext();
		const first = await search.call(context);
		expect(first.results).toHaveLength(100);
		expect(first.results[0].value).toBe(sessions[129].id);
		expect(first.results[0].name).toMatch(new RegExp(`^${sessions[129].id} · \\d+\\.\\d{2} [A-Z]{3} · open · buyer129@example.com$`));
		expect(first.paginationToken).toBe(`100:${sessions[30].id}`);
		const second = await search.call(context, undefined, first.paginationToken as string);
		expect(second.results).toHaveLength(30);
		expect(second.paginationToken).toBeUndefined();
		// Tilled has no text search: the filter applies to each loaded page (buyer12 is on page 2).
		const filtered = await search.call(context, 'BUYER12');
		expect(filtered.results.map((r) => r.value)).toEqual(
			[129, 128, 127, 126, 125, 124, 123, 122, 121, 120].map((i) => sessions[i].id),
		);
		expect(filtered.paginationToken).toBe(first.paginationToken);
		expect(fake.requests.map((r) => r.query.offset)).toEqual(['0', '100', '0']);
	});

	const search = new TilledCheckoutSessions().methods.listSearch.searchCheckoutSessions;
	const listFault = (mode: string) =>
		fake.injectFault({ match: { method: 'GET', path: '/v1/checkout-sessions' }, kind: 'list', mode, times: Infinity });

	test('a server that ignores offset: the next page is the same one, an error instead of loading it for ever', async () => {
		fake.sessions.seedSessions(150);
		listFault('ignore-offset');
		const context = loadOptionsContext();
		const first = await search.call(context);
		expect(first.results).toHaveLength(100);
		await expect(search.call(context, undefined, first.paginationToken as string)).rejects.toThrow(
			/^Tilled could not list checkout sessions: the list does not advance: this page ends with the same session as the page before\. Tilled answered the page at offset 100 with 100 items, has_more true, total 150/,
		);
		expect(fake.requests).toHaveLength(2);
	});

	test('has_more past the total, or an empty page with has_more: an error', async () => {
		fake.sessions.seedSessions(150);
		listFault('always-more');
		const context = loadOptionsContext();
		const first = await search.call(context);
		await expect(search.call(context, undefined, first.paginationToken as string)).rejects.toThrow(
			/says has_more at offset 150, past its total of 150/,
		);
		fake.clearFaults();
		fake.injectFault({ match: { method: 'GET' }, kind: 'status', status: 200, body: { items: [], has_more: true, total: 150 } });
		await expect(search.call(context)).rejects.toThrow(/empty page that says has_more/);
	});
});
