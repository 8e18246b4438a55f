// What a request to Tilled is. Sending it once is send.ts, with its retries retry.ts; the
// settings of a run are settings.ts and the pace kept between runs pace.ts.
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

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
	/**
	 * What the request does, said after "Tilled could not" in its errors: "refund the payment",
	 * "list checkout sessions". The caller names it; the transport knows no resource.
	 */
	action: string;
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
