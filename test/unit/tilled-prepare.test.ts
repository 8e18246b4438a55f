// Each Tilled node operation's prepare in n8n-core's real execution context: what it would send,
// and bad input named by item and field before anything is sent (prepare sends nothing).
import { prepareItem, type TilledCredentialData } from '../harness/n8n';

const credentials: TilledCredentialData = { accountId: 'acct_1', apiKey: 'sk_unit', environment: 'custom', baseUrl: 'http://127.0.0.1:9' };
const prepare = (parameters: Record<string, unknown>) => prepareItem({ node: 'tilled', credentials, parameters });
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

describe('refund create', () => {
	const base = { resource: 'refund', operation: 'create', paymentIntentId: byId('pi_1') };

	test('keeps a decimal amount for the currency lookup and builds the body', () => {
		expect(prepare({ ...base, amount: '12.5', reason: 'duplicate', refundPlatformFee: true, options: { idempotencyKey: 'r-1' } })).toEqual({
			paymentIntentId: 'pi_1',
			amount: { value: 12.5, format: 'decimal', field: 'Amount' },
			body: { payment_intent_id: 'pi_1', reason: 'duplicate', refund_platform_fee: true, metadata: { n8n_idempotency_key: 'r-1' } },
			idempotencyKey: 'r-1',
		});
	});

	test('empty amount means the whole remaining amount', () => {
		expect(prepare(base)).toMatchObject({ amount: undefined, body: { payment_intent_id: 'pi_1', metadata: {} } });
	});

	test.each([
		[{ amount: '-3' }, /^Amount must be more than 0, got -3/],
		[{ amount: 'ten' }, /^Amount must be a number/],
		[{ amount: '1.999' }, /^Amount has more than 2 decimals/],
		[{ amountFormat: 'minor', amount: 10.5 }, /^Amount must be a whole number of minor units/],
		[{ paymentIntentId: byId('pi 1/../x') }, /^Payment Intent "pi 1\/\.\.\/x" is not a Tilled ID/],
		[{ paymentIntentId: byId('') }, /^Payment Intent is empty/],
		[{ options: { idempotencyKey: 'k'.repeat(501) } }, /^Options › Idempotency Key may have at most 500 characters/],
	])('refuses %j', (extra, message) => {
		expect(() => prepare({ ...base, ...extra })).toThrow(message);
	});
});

describe('payment intent', () => {
	test('capture reads both amounts; cancel its reason', () => {
		expect(prepare({ resource: 'paymentIntent', operation: 'capture', paymentIntentId: byId('pi_2'), amountFormat: 'minor', amountToCapture: 700, platformFeeAmount: 30 })).toEqual({
			id: 'pi_2',
			amountToCapture: { value: 700, format: 'minor', field: 'Amount to Capture' },
			platformFee: { value: 30, format: 'minor', field: 'Platform Fee' },
		});
		expect(prepare({ resource: 'paymentIntent', operation: 'cancel', paymentIntentId: byId('pi_2'), cancellationReason: 'fraudulent' })).toEqual({ id: 'pi_2', reason: 'fraudulent' });
	});

	test('get many: filters into Tilled\'s query, and bad ones named', () => {
		expect(
			prepare({ resource: 'paymentIntent', operation: 'getAll', limit: 3, filters: { status: ['succeeded'], customerId: 'cus_1', createdTo: '2026-01-02T03:04:05Z', metadata: { pair: [{ key: 'o', value: '1' }] } } }),
		).toEqual({ limit: 3, query: { status: ['succeeded'], customer_id: 'cus_1', created_at_lte: '2026-01-02T03:04:05.000Z', 'metadata[o]': '1' } });
		expect(() => prepare({ resource: 'paymentIntent', operation: 'getAll', filters: { createdFrom: 'yesterday' } })).toThrow(/^Filters › Created After must be a date and time/);
		expect(() => prepare({ resource: 'paymentIntent', operation: 'getAll', filters: { customerId: 'cus 1' } })).toThrow(/^Filters › Customer ID "cus 1" is not a Tilled ID/);
		expect(() => prepare({ resource: 'paymentIntent', operation: 'getAll', limit: 0 })).toThrow(/^Limit must be a whole number of at least 1/);
	});
});

describe('customer', () => {
	test('create and update bodies use Tilled\'s names; a bad email is named', () => {
		expect(prepare({ resource: 'customer', operation: 'create', additionalFields: { email: ' a@b.co ', middleName: 'M' } })).toEqual({ email: 'a@b.co', middle_name: 'M' });
		expect(prepare({ resource: 'customer', operation: 'update', customerId: byId('cus_9'), updateFields: { phone: '555' } })).toEqual({ id: 'cus_9', body: { phone: '555' } });
		expect(() => prepare({ resource: 'customer', operation: 'create', additionalFields: { email: 'nope' } })).toThrow(/^Additional Fields › Email "nope" is not an email address/);
	});
});

describe('disputes, payouts, balance transactions', () => {
	test('their filters, as Tilled takes them', () => {
		expect(prepare({ resource: 'dispute', operation: 'getAll', returnAll: true, filters: { chargeId: 'ch_1', status: ['won', 'lost'] } })).toEqual({
			limit: undefined,
			query: { charge_id: 'ch_1', status: ['won', 'lost'] },
		});
		expect(prepare({ resource: 'payout', operation: 'getAll', filters: { status: 'paid', paidFrom: '2026-01-01T00:00:00Z' } })).toEqual({
			limit: 50,
			query: { status: 'paid', paid_at_gte: '2026-01-01T00:00:00.000Z' },
		});
		expect(prepare({ resource: 'balanceTransaction', operation: 'getAll', filters: { type: 'refund', payoutId: 'po_1', sourceId: 'ch_2' } })).toEqual({
			limit: 50,
			query: { type: 'refund', payout_id: 'po_1', source_id: 'ch_2' },
		});
		expect(prepare({ resource: 'balanceTransaction', operation: 'get', balanceTransactionId: byId('txn_1') })).toBe('txn_1');
		expect(() => prepare({ resource: 'payout', operation: 'get', payoutId: byId('po 1') })).toThrow(/^Payout "po 1" is not a Tilled ID/);
	});
});
