// One attempt: URL from the settings, authentication applied by n8n
// (httpRequestWithAuthentication), and what the answer or the failure means for a retry.
import type { IDataObject, IHttpRequestOptions, INode, NodeApiError } from 'n8n-workflow';
import { errorMessage, tilledError } from './errors';
import type { TilledContext, TilledRequest } from './request';
import type { TransportSettings } from './settings';

/** What one attempt came to. */
export type Outcome =
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

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
	if (typeof header !== 'string' || header.trim() === '') return undefined;
	const text = header.trim();
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export async function sendOnce(
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

