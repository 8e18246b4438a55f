// The settings of one run's requests: where Tilled is, retries, timeout, the shared limiter and
// the credential read once.
import type { ICredentialsDecrypted, IDataObject } from 'n8n-workflow';
import { TILLED_PRODUCTION_URL, TILLED_SANDBOX_URL } from '../../../credentials/TilledApi.credentials';
import { AdaptiveLimiter } from './limiter';
import type { Pace } from './pace';
import type { TilledContext } from './request';

export interface TransportSettings {
	baseUrl: string;
	maxRetries: number;
	timeoutMs: number;
	retryDelayMs: number;
	/**
	 * Shared by all requests of one execution: how many go at once (learnt from Tilled's
	 * answers), and the pause after a 429 that holds every request, not just one.
	 */
	limiter: AdaptiveLimiter;
	/**
	 * The account every request of the run acts for unless it names one (header tilled-account):
	 * the Account option of the action nodes.
	 */
	account?: string;
	/** Read once per execution and handed to every request: saves n8n a lookup and decryption each time. */
	credentials?: ICredentialsDecrypted;
}

export const DEFAULT_TRANSPORT = { maxRetries: 3, timeoutMs: 30_000, retryDelayMs: 500 };
export const DEFAULT_MAX_CONCURRENCY = 200;

export function tilledBaseUrl(credentials: IDataObject): string {
	if (credentials.environment === 'production') return TILLED_PRODUCTION_URL;
	if (credentials.environment === 'custom') return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
	return TILLED_SANDBOX_URL;
}

export async function transportSettings(
	this: TilledContext,
	overrides: Partial<Omit<TransportSettings, 'baseUrl' | 'limiter' | 'credentials'>> & {
		/** Most requests at once (the Items in Parallel option); the limiter finds how many below it. */
		maxConcurrency?: number;
		/** What an earlier run learnt of Tilled's rate limit (rememberedPace). */
		pace?: Pace;
	} = {},
): Promise<TransportSettings> {
	const credentials = await this.getCredentials('tilledApi');
	const reference = this.getNode().credentials?.tilledApi;
	const { maxConcurrency, pace, ...rest } = overrides;
	return {
		...DEFAULT_TRANSPORT,
		...rest,
		baseUrl: tilledBaseUrl(credentials),
		limiter: new AdaptiveLimiter({ ceiling: maxConcurrency ?? DEFAULT_MAX_CONCURRENCY, ...pace }),
		credentials: reference?.id
			? { id: reference.id, name: reference.name, type: 'tilledApi', data: credentials }
			: undefined,
	};
}
