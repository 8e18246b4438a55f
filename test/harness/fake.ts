// Starts the project's fake Tilled for a test file and gives matching credentials.
import type { TilledCredentialData } from './n8n';

// The fake is plain CommonJS, shared with scripts that run without a build.
// The fake is plain CommonJS, shared with scripts that run without a build step.
const { startFakeTilled } = require('../fake-tilled/server');

export const API_KEY = 'sk_test_6fQb3sX9LkP2mN8vR4tY';
export const ACCOUNT_ID = 'acct_test_merchant';
/** An account connected to ACCOUNT_ID (a partner account): the fake's default. */
export const CONNECTED_ACCOUNT_ID: string = require('../fake-tilled/webhooks').OTHER_ACCOUNT;

export interface RecordedRequest {
	method: string;
	path: string;
	query: Record<string, any>;
	rawQuery: string;
	headers: Record<string, string>;
	body: any;
	rawBody: string;
	status?: number;
	requestId: string;
}

/** The fake's payment records and admin actions (test/fake-tilled/README.md, "Payments"); objects as the API sends them. */
export interface FakePayments {
	createPaymentIntent(params: {
		amount: number;
		currency: string;
		capture_method?: 'automatic' | 'manual';
		payment_method_types?: string[];
		platform_fee_amount?: number;
		metadata?: Record<string, string>;
		customer_id?: string;
		account_id?: string;
	}): any;
	openDispute(chargeId: string, params?: { amount?: number; status?: string; reason_description?: string }): any;
	createPayout(params?: { account_id?: string; currency?: string; status?: string }): any;
	paymentIntent(id: string): any;
	charge(id: string): any;
	refund(id: string): any;
	refunds(paymentIntentId?: string): any[];
	refundCount(paymentIntentId: string): number;
	refundCounts(): Record<string, number>;
	createCustomer(params?: Record<string, unknown>, account?: string): any;
	customer(id: string): any;
	balanceTransactions(): any[];
	payout(id: string): any;
	dispute(id: string): any;
	reset(): void;
}

export interface FakeTilled {
	url: string;
	connectedAccounts: string[];
	requests: RecordedRequest[];
	clearRequests(): void;
	sessions: {
		seedSessions(n: number, overrides?: any): any[];
		sessionCount(): number;
		getSession(id: string): any;
		listSessions(): any[];
		setStatus(id: string, status: string): void;
		reset(): void;
	};
	payments: FakePayments;
	internalErrors: Error[];
	setLatency(ms: number): void;
	/** N requests per rolling second, 429 with Retry-After beyond; undefined: no limit. */
	setRateLimit(perSecond: number | undefined): void;
	rateLimited(): number;
	connectionsOpened(): number;
	injectFault(fault: any): { id: number; remaining: number };
	faultsInjected(): Record<string, number>;
	clearFaults(): void;
	close(): Promise<void>;
}

export async function startFake(options: Record<string, unknown> = {}): Promise<{
	fake: FakeTilled;
	credentials: TilledCredentialData;
}> {
	const fake: FakeTilled = await startFakeTilled({ apiKey: API_KEY, accountId: ACCOUNT_ID, ...options });
	return {
		fake,
		credentials: { accountId: ACCOUNT_ID, apiKey: API_KEY, environment: 'custom', baseUrl: fake.url },
	};
}

/**
 * Starts a fake Tilled for the test file and gives it to `use`; each test starts from an empty
 * store, no recorded requests and no faults, and fails if the fake hit a bug of its own.
 */
export function useFakeTilled(
	use: (started: { fake: FakeTilled; credentials: TilledCredentialData }) => void,
	options: { fake?: Record<string, unknown>; beforeClose?: (fake: FakeTilled) => void } = {},
) {
	let fake: FakeTilled;
	beforeAll(async () => {
		const started = await startFake(options.fake);
		fake = started.fake;
		use(started);
	});
	afterAll(async () => {
		options.beforeClose?.(fake);
		await fake.close();
	});
	beforeEach(() => {
		fake.sessions.reset();
		fake.payments.reset();
		fake.clearRequests();
		fake.clearFaults();
	});
	afterEach(() => expect(fake.internalErrors).toEqual([]));
}

/** How many faults the fake applied, all kinds together. */
export const faultCount = (fake: FakeTilled) => Object.values(fake.faultsInjected()).reduce((a, b) => a + b, 0);
