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
		fake.clearRequests();
		fake.clearFaults();
	});
	afterEach(() => expect(fake.internalErrors).toEqual([]));
}

/** How many faults the fake applied, all kinds together. */
export const faultCount = (fake: FakeTilled) => Object.values(fake.faultsInjected()).reduce((a, b) => a + b, 0);
