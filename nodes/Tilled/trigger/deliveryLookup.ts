// The related-object lookup of one webhook delivery, bounded so that the delivery is answered well
// within a sender's timeout (Tilled does not publish its own; senders commonly give about 10 s). A
// lookup still going when the budget is spent is given up on: the delivery is answered at once,
// and the sender's retry brings the event again.
import { sleep, type IDataObject, type IWebhookFunctions } from 'n8n-workflow';
import { AdaptiveLimiter, transportSettings } from '../transport';
import { eventOutput, type TilledEvent, type TriggerOptions } from './events';

/** The most webhook() waits for the lookup before it answers without it. */
export const LOOKUP_BUDGET_MS = 4_000;
/** Two tries of under 2 s each fit the budget (instead of 4 tries of 30 s, an execution's defaults). */
const LOOKUP_TRANSPORT = { maxRetries: 1, timeoutMs: 1_800, retryDelayMs: 200 };

/**
 * One limiter per Tilled account and credential for all deliveries this process handles: a burst
 * of deliveries queues its lookups through one limiter, which learns Tilled's pace from the first
 * 429 and holds every lookup to it, instead of each delivery meeting the limit on its own.
 */
const sharedLimiters = new Map<string, AdaptiveLimiter>();

export interface DeliveryOutput {
	/** The item to run with: the event with its related object (or null and `<key>_error`). */
	json: IDataObject;
	/** Why a related object is missing, when its lookup failed. */
	error?: string;
}

/** The key an event's related object is added under (the session, for payment events). */
const RELATED_KEY = 'checkout_session';

/** The first `<key>_error` the item carries: a related object whose lookup failed. */
function relatedObjectError(json: IDataObject): string | undefined {
	for (const [key, value] of Object.entries(json)) {
		if (key.endsWith('_error') && typeof value === 'string' && value !== '') return value;
	}
	return undefined;
}

function withError(event: TilledEvent, error: string): DeliveryOutput {
	return { json: { ...event, [RELATED_KEY]: null, [`${RELATED_KEY}_error`]: error }, error };
}

/**
 * The event with its related object, within LOOKUP_BUDGET_MS. Never throws: a failed or slow
 * lookup (or credential) gives `error`, and the caller decides between a retry and a run.
 */
export async function deliveryOutput(
	this: IWebhookFunctions,
	event: TilledEvent,
	options: TriggerOptions,
): Promise<DeliveryOutput> {
	const lookup = (async () => {
		const settings = await transportSettings.call(this, LOOKUP_TRANSPORT);
		const key = `${settings.baseUrl} ${settings.credentials?.id ?? ''}`;
		const shared = sharedLimiters.get(key) ?? settings.limiter;
		sharedLimiters.set(key, shared);
		settings.limiter = shared;
		return await eventOutput.call(this, settings, event, options);
	})().then(
		(json): DeliveryOutput => {
			const error = relatedObjectError(json);
			return error === undefined ? { json } : { json, error };
		},
		(error: Error) => withError(event, error.message),
	);
	// The lookup itself is bounded by its timeouts; the budget also bounds waits before sending
	// (a Retry-After, a queue behind other deliveries' lookups).
	const budget = sleep(LOOKUP_BUDGET_MS).then(() =>
		withError(event, `Tilled did not answer the lookup within ${LOOKUP_BUDGET_MS / 1000} s`),
	);
	return await Promise.race([lookup, budget]);
}
