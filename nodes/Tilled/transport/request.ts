// One request to Tilled, with its retries: URL from the credential, authentication applied by
// n8n (httpRequestWithAuthentication), and retries that never repeat a payment action blindly.
import {
	NodeApiError,
	sleep,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type IPollFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';
import { TILLED_PRODUCTION_URL, TILLED_SANDBOX_URL } from '../../../credentials/TilledApi.credentials';
import { errorFacts, errorMessage, retriesExhausted, tilledError } from './errors';
import { AdaptiveLimiter, type LimitSignal } from './limiter';

export type TilledContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IWebhookFunctions
	| IPollFunctions;

export interface TilledRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** Path below the base URL, e.g. /v1/checkout-sessions */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/**
	 * 'idempotent': sending it twice does no harm, so every transient failure is retried.
	 * 'unsafe': retried only when Tilled surely did nothing (429, connection refused); after an
	 * ambiguous failure (timeout, reset, 502-504, unreadable 2xx) `recover` is asked first.
	 */
	safety: 'idempotent' | 'unsafe';
	/** After an ambiguous failure: finds out whether the request took effect, and its result if so. */
	recover?: () => Promise<IDataObject | undefined>;
	/** Added to the error when the request may have taken effect unseen (how to find it). */
	ambiguityNote?: string;
	itemIndex?: number;
	/**
	 * The account the request acts for (header tilled-account), e.g. a connected account of the
	 * credential's partner account; the credential's own account when undefined.
	 */
	account?: string;
}

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
	/** Read once per execution and handed to every request: saves n8n a lookup and decryption each time. */
	credentials?: ICredentialsDecrypted;
}

export const DEFAULT_TRANSPORT = { maxRetries: 3, timeoutMs: 30_000, retryDelayMs: 500 };
export const DEFAULT_MAX_CONCURRENCY = 200;

const MAX_BACKOFF_MS = 30_000;
// A Retry-After longer than this is not waited for: the node fails with Tilled's answer instead.
const MAX_RETRY_AFTER_MS = 120_000;

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

// The pace Tilled allowed (after a 429) is kept in the node's static data, which n8n saves after
// production runs: the next run keeps to it from its first request instead of meeting the limit
// with a burst of refused requests. It is forgotten after an hour without a run; a run still grows it
// (slowly) while answers are clean, so a raised limit is found again.
const PACE_KEY = 'tilledPace';
const PACE_MEMORY_MS = 60 * 60_000;

/** What a run learnt of Tilled's rate limit, in requests per second. */
export interface Pace {
	rate: number;
	acceptedAtLimit?: number;
}

/** The pace kept in static data and when it was learnt, if the record is whole. */
function storedPace(staticData: IDataObject): (Pace & { learntAt: number }) | undefined {
	const { requestsPerSecond, acceptedPerSecond, learntAt } = (staticData[PACE_KEY] as IDataObject | undefined) ?? {};
	if (typeof requestsPerSecond !== 'number' || !(requestsPerSecond >= 1) || typeof learntAt !== 'number') return undefined;
	return { rate: requestsPerSecond, acceptedAtLimit: typeof acceptedPerSecond === 'number' ? acceptedPerSecond : undefined, learntAt };
}

/** What an earlier run of this node learnt of Tilled's rate limit within the last hour, if anything. */
export function rememberedPace(this: IExecuteFunctions, now = Date.now()): Pace | undefined {
	const stored = storedPace(this.getWorkflowStaticData('node'));
	if (!stored || now - stored.learntAt > PACE_MEMORY_MS) return undefined;
	return { rate: stored.rate, acceptedAtLimit: stored.acceptedAtLimit };
}

// n8n saves a workflow's static data whole after a run that changed it, so a run going on at the
// same time (a Tilled Trigger's record of the events it saw, say) can lose what it saved meanwhile.
// The pace is therefore written again only when it says something new.
const PACE_REFRESH_MS = 10 * 60_000;
const PACE_CHANGE = 0.05;

/**
 * Keeps what this run ended with for the next runs (nothing if Tilled never limited it): written
 * when this run met a 429, when its pace moved by more than 5 %, or to keep a pace older than 10
 * minutes from being forgotten.
 */
export function rememberPace(this: IExecuteFunctions, settings: TransportSettings, now = Date.now()) {
	const { rate, acceptedAtLimit, stats } = settings.limiter;
	if (rate === undefined) return;
	const staticData = this.getWorkflowStaticData('node');
	const stored = storedPace(staticData);
	const news =
		stats.rateLimited > 0 ||
		!stored ||
		Math.abs(rate - stored.rate) > stored.rate * PACE_CHANGE ||
		now - stored.learntAt > PACE_REFRESH_MS;
	if (!news) return;
	const round = (value: number) => Math.round(value * 10) / 10;
	staticData[PACE_KEY] = {
		requestsPerSecond: round(rate),
		...(acceptedAtLimit !== undefined ? { acceptedPerSecond: round(acceptedAtLimit) } : {}),
		learntAt: now,
	};
}

/** What one attempt came to. */
type Outcome =
	| { kind: 'success'; body: IDataObject }
	/** Tilled surely did nothing: safe to send again. */
	| { kind: 'refused'; error: NodeApiError; rateLimited?: boolean; waitMs?: number }
	/** Tilled may or may not have acted. */
	| { kind: 'ambiguous'; error: NodeApiError }
	| { kind: 'final'; error: NodeApiError };

const NOT_SENT_CODES = new Set(['ECONNREFUSED']);
const AMBIGUOUS_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'ESOCKETTIMEDOUT',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
]);
const RETRIED_STATUSES = new Set([502, 503, 504]);

export async function tilledApiRequest(
	this: TilledContext,
	settings: TransportSettings,
	request: TilledRequest,
): Promise<IDataObject> {
	let lastAmbiguous: NodeApiError | undefined;
	for (let attempt = 0; ; attempt++) {
		if (lastAmbiguous && request.recover) {
			const result = await recoverAfter.call(this, request, lastAmbiguous);
			if (result !== undefined) return result;
		}
		const permit = await settings.limiter.acquire();
		const sentAt = Date.now();
		const outcome = await sendOnce.call(this, settings, request);
		permit.release(limitSignal(outcome), Date.now() - sentAt);
		if (outcome.kind === 'success') return outcome.body;
		if (outcome.kind === 'final') throw outcome.error;

		const mayRetry =
			outcome.kind === 'refused' || request.safety === 'idempotent' || request.recover !== undefined;
		if (!mayRetry) throw outcome.error;
		if (attempt >= settings.maxRetries) {
			if (outcome.kind === 'ambiguous' && request.recover) {
				const result = await recoverAfter.call(this, request, outcome.error);
				if (result !== undefined) return result;
			}
			throw retriesExhausted(this.getNode(), outcome.error, attempt + 1, request, outcome.kind === 'ambiguous');
		}
		if (outcome.kind === 'ambiguous') lastAmbiguous = outcome.error;

		const retryAfter = outcome.kind === 'refused' ? outcome.waitMs : undefined;
		if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_MS) {
			const facts = errorFacts(outcome.error);
			throw tilledError(this.getNode(), request, {
				...facts,
				message: `${facts.detail} (Tilled asks to wait ${Math.ceil(retryAfter / 1000)} s, longer than the node waits)`,
			});
		}
		const delay = retryAfter ?? backoffMs(settings.retryDelayMs, attempt);
		if (outcome.kind === 'refused' && outcome.rateLimited) {
			// Every request of this execution waits, so a burst of parallel items slows down together.
			settings.limiter.pause(Date.now() + delay);
		} else {
			await sleep(delay);
		}
	}
}

/** Asks `recover`; if even that fails, says both what happened and how to find the result. */
async function recoverAfter(this: TilledContext, request: TilledRequest, failure: NodeApiError) {
	const outcome = await request.recover!().then(
		(result) => ({ result }),
		(error: Error) => ({ error }),
	);
	if ('result' in outcome) return outcome.result;
	const facts = errorFacts(failure);
	const check = outcome.error.message.replace(/^Tilled could not /, '');
	throw tilledError(this.getNode(), request, {
		...facts,
		message: `${facts.detail}, and checking whether it took effect failed too (could not ${check})${request.ambiguityNote ? `. ${request.ambiguityNote}` : ''}`,
	});
}

/** What an attempt tells the limiter about Tilled's load. */
function limitSignal(outcome: Outcome): LimitSignal {
	if (outcome.kind === 'success') return 'ok';
	if (outcome.kind === 'refused' && outcome.rateLimited) return outcome.waitMs ? 'rateLimited' : 'refused';
	if (outcome.kind === 'refused') return 'overloaded';
	if (outcome.kind === 'ambiguous') return 'overloaded';
	// A 4xx answers quickly and says nothing about load; a 500 is one request's failure.
	return outcome.error.httpCode && outcome.error.httpCode.startsWith('4') ? 'ok' : 'neutral';
}

/** Exponential backoff with jitter, so items that failed together do not retry together. */
export function backoffMs(baseMs: number, attempt: number, random = Math.random()): number {
	const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
	if (typeof header !== 'string' || header.trim() === '') return undefined;
	const text = header.trim();
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function sendOnce(
	this: TilledContext,
	settings: TransportSettings,
	request: TilledRequest,
): Promise<Outcome> {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: settings.baseUrl + request.path,
		qs: request.qs,
		// Lists in the query go as Tilled takes them: types[]=a&types[]=b.
		arrayFormat: 'brackets',
		body: request.body,
		json: true,
		timeout: settings.timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	// The credential's authenticate keeps this header and adds only the key.
	if (request.account !== undefined) options.headers = { 'tilled-account': request.account };
	if (request.method === 'POST' && request.body === undefined) delete options.body;

	let response: { statusCode: number; headers: IDataObject; body: unknown };
	try {
		response = await this.helpers.httpRequestWithAuthentication.call(
			this,
			'tilledApi',
			options,
			settings.credentials ? { credentialsDecrypted: settings.credentials } : undefined,
		);
	} catch (error) {
		return networkFailure(this.getNode(), error, request);
	}

	const status = Number(response.statusCode);
	const requestId = headerValue(response.headers, 'request-id');
	const body = parseBody(response.body);
	if (status >= 200 && status < 300) {
		// A delete answers 204 with nothing to read, and that is its whole answer.
		if (request.method === 'DELETE' && body.json === undefined) return { kind: 'success', body: {} };
		if (body.json !== undefined && typeof body.json === 'object' && !Array.isArray(body.json)) {
			return { kind: 'success', body: body.json as IDataObject };
		}
		// The request worked but its answer is lost: for a create, the session may exist.
		return {
			kind: 'ambiguous',
			error: tilledError(this.getNode(), request, {
				status,
				requestId,
				message: `the answer could not be read (${body.preview})`,
			}),
		};
	}
	const error = tilledError(this.getNode(), request, {
		status,
		requestId,
		message: errorMessage(body.json, body.preview),
		tilledBody: body.json,
	});
	if (status === 429) {
		const waitMs = retryAfterMs(headerValue(response.headers, 'retry-after'));
		return { kind: 'refused', error, rateLimited: true, waitMs };
	}
	if (RETRIED_STATUSES.has(status)) return { kind: 'ambiguous', error };
	return { kind: 'final', error };
}

function networkFailure(node: INode, error: unknown, request: TilledRequest): Outcome {
	const code = errorCode(error);
	const message = describeNetworkError(code, error);
	const wrapped = tilledError(node, request, { message, code });
	if (code !== undefined && NOT_SENT_CODES.has(code)) return { kind: 'refused', error: wrapped };
	if (code !== undefined && AMBIGUOUS_CODES.has(code)) return { kind: 'ambiguous', error: wrapped };
	if (/timeout|socket hang up|aborted/i.test(safeMessage(error))) return { kind: 'ambiguous', error: wrapped };
	return { kind: 'final', error: wrapped };
}

/**
 * The system error code (ECONNRESET…) wherever the HTTP stack put it: on the error or its
 * causes (n8n 2.x), or, where n8n 1.x drops the cause, in httpCode or the original messages.
 */
function errorCode(error: unknown): string | undefined {
	let current = error as { code?: unknown; httpCode?: unknown; messages?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; current && depth < 5; depth++) {
		for (const candidate of [current.code, current.httpCode]) {
			if (typeof candidate === 'string' && /^E[A-Z_]+$/.test(candidate)) return candidate;
		}
		const texts = Array.isArray(current.messages) ? current.messages : [];
		for (const text of texts) {
			const found = typeof text === 'string' ? /\b(E[A-Z]{4,}[A-Z_]*)\b/.exec(text) : null;
			if (found) return found[1];
		}
		current = current.cause as typeof current;
	}
	return undefined;
}

function describeNetworkError(code: string | undefined, error: unknown): string {
	switch (code) {
		case 'ECONNREFUSED':
			return 'Could not connect to Tilled: the connection was refused';
		case 'ECONNRESET':
		case 'EPIPE':
		case 'UND_ERR_SOCKET':
			return 'The connection to Tilled was closed before it answered';
		case 'ETIMEDOUT':
		case 'ECONNABORTED':
		case 'ESOCKETTIMEDOUT':
		case 'ERR_SOCKET_CONNECTION_TIMEOUT':
			return 'Tilled did not answer in time';
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return 'The Tilled host name could not be resolved: check the credential\'s environment and base URL';
		default:
			return `The request to Tilled failed: ${safeMessage(error)}`;
	}
}

// Messages of the HTTP stack name hosts and codes, never headers; still, keep them short.
function safeMessage(error: unknown): string {
	const message = (error as { message?: unknown })?.message;
	return typeof message === 'string' ? message.slice(0, 300) : 'unknown error';
}

function parseBody(raw: unknown): { json?: unknown; preview: string } {
	if (raw === undefined || raw === null || raw === '') return { preview: 'empty body' };
	if (typeof raw === 'object' && !Buffer.isBuffer(raw)) return { json: raw, preview: 'JSON' };
	const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
	try {
		return { json: JSON.parse(text), preview: 'JSON' };
	} catch {
		const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 80);
		return { preview: `not JSON: "${snippet}${text.length > 80 ? '…' : ''}"` };
	}
}

function headerValue(headers: IDataObject | undefined, name: string): string | undefined {
	const value = headers?.[name];
	if (Array.isArray(value)) return String(value[0]);
	return typeof value === 'string' ? value : undefined;
}

