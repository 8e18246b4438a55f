// Tilled's errors turned into NodeApiErrors that carry its message, the HTTP status and the
// request-id (never the API key).
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';
import type { TilledRequest } from './request';

const SYSTEM_CODE = /\b(E[A-Z0-9_]{3,}|GETADDRINFO|getaddrinfo)\b/g;

/**
 * Tilled's message is a string or a list of strings; validation_errors may add more. Without
 * one, says what the body was; the status itself is added once, by tilledError.
 */
export function errorMessage(json: unknown, preview: string): string {
	const body = (json !== null && typeof json === 'object' ? json : {}) as { message?: unknown; validation_errors?: unknown; error?: unknown };
	const parts: string[] = [];
	for (const value of [body.message, body.validation_errors]) {
		if (typeof value === 'string' && value.trim()) parts.push(value.trim());
		if (Array.isArray(value)) parts.push(...value.filter((v): v is string => typeof v === 'string' && v.trim() !== ''));
	}
	const unique = [...new Set(parts)];
	if (unique.length > 0) return unique.join('; ');
	if (typeof body.error === 'string' && body.error.trim()) return body.error.trim();
	if (typeof json === 'string' && json.trim()) return json.trim().slice(0, 300);
	if (json === undefined) return `the answer is ${preview.startsWith('not JSON') ? preview : `an ${preview}`}`;
	return 'the answer has no error message';
}

export function tilledError(
	node: INode,
	request: TilledRequest,
	details: { message: string; status?: number; requestId?: string; code?: string; tilledBody?: unknown },
): NodeApiError {
	// The CLI and the editor show the message first: everything a user needs (Tilled's words,
	// status and request id for Tilled support) goes into it, never headers or the request.
	const facts = [
		details.status !== undefined ? `HTTP ${details.status}` : undefined,
		details.requestId ? `request-id ${details.requestId}` : undefined,
	].filter(Boolean);
	// System error codes (ECONNRESET…) stay out of the message: NodeApiError would replace a
	// message containing one with its generic text, losing Tilled's words and our advice.
	const text = details.message.replace(SYSTEM_CODE, '').replace(/\s{2,}/g, ' ').trim();
	const account = request.account !== undefined ? ` of account ${request.account}` : '';
	const message = `Tilled could not ${request.action}${account}: ${text}${facts.length ? ` [${facts.join(', ')}]` : ''}`;
	const errorResponse: JsonObject = {
		message: details.message,
		...(details.status !== undefined ? { statusCode: details.status } : {}),
		...(details.requestId ? { requestId: details.requestId } : {}),
		// Not under "code" or "errorCode": NodeApiError would take it for the HTTP status.
		...(details.code ? { systemError: details.code } : {}),
		...(details.tilledBody && typeof details.tilledBody === 'object'
			? { tilled: details.tilledBody as JsonObject }
			: {}),
	};
	return new NodeApiError(node, errorResponse, {
		message,
		description: details.requestId
			? `Tilled request-id: ${details.requestId} (quote it to Tilled support)`
			: undefined,
		httpCode: details.status !== undefined ? String(details.status) : undefined,
		itemIndex: request.itemIndex,
	});
}

export function retriesExhausted(
	node: INode,
	last: NodeApiError,
	attempts: number,
	request: TilledRequest,
	ambiguous: boolean,
) {
	const facts = errorFacts(last);
	const note = ambiguous && request.ambiguityNote ? `. ${request.ambiguityNote}` : '';
	return tilledError(node, request, { ...facts, message: `${facts.detail} (gave up after ${attempts} attempts)${note}` });
}

/** What tilledError put on an error: the bare message, status, request id, system error code. */
export function errorFacts(error: NodeApiError): {
	detail: string;
	status?: number;
	requestId?: string;
	code?: string;
} {
	const response = (error.errorResponse ?? {}) as JsonObject;
	return {
		detail: typeof response.message === 'string' ? response.message : error.message,
		status: typeof response.statusCode === 'number' ? response.statusCode : undefined,
		requestId: typeof response.requestId === 'string' ? response.requestId : undefined,
		code: typeof response.systemError === 'string' ? response.systemError : undefined,
	};
}

