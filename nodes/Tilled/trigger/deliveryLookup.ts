// The related-object lookup of one webhook delivery, bounded so that the delivery is answered well
// within a sender's timeout (Tilled does not publish its own; senders commonly give about 10 s). A
// lookup still going when the budget is spent is given up on: the delivery is answered at once,
// and the sender's retry brings the event again.
import { sleep, type IDataObject, type IWebhookFunctions } from 'n8n-workflow';
import { AdaptiveLimiter, transportSettings } from '../transport';
import { eventOutput, type TilledEvent, type TriggerOptions } from './events';
import { relatedKeys } from './relatedObjects';

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

/**
 * Lookups by delivery (endpoint and event id), kept until the event runs or the lookup fails: a
 * lookup still queued when its delivery was answered 503 goes on, and Tilled's retry of that
 * delivery takes its result instead of starting (and queueing) another one.
 */
const lookups = new Map<string, Promise<DeliveryOutput>>();
const MAX_KEPT_LOOKUPS = 2000;

export interface DeliveryOutput {
	/** The item to run with: the event with its related object (or null and `<key>_error`). */
	json: IDataObject;
	/** Why a related object is missing, when its lookup failed. */
	error?: string;
	/** The lookup is still under way (it took longer than the budget); a retry will find its result. */
	pending?: boolean;
}

/** The key an event's first related object is added under (the session, for payment events). */
const relatedKey = (event: TilledEvent) => relatedKeys(event)[0] ?? 'checkout_session';

/** The first `<key>_error` the item carries: a related object whose lookup failed. */
function relatedObjectError(json: IDataObject): string | undefined {
	for (const [key, value] of Object.entries(json)) {
		if (key.endsWith('_error') && typeof value === 'string' && value !== '') return value;
	}
	return undefined;
}

function withError(event: TilledEvent, error: string): DeliveryOutput {
	const key = relatedKey(event);
	return { json: { ...event, [key]: null, [`${key}_error`]: error }, error };
}

/**
 * The event with its related object, within LOOKUP_BUDGET_MS. Never throws: a failed or slow
 * lookup (or credential) gives `error`, and the caller decides between a retry and a run.
 * `key` names the delivery (endpoint and event id) for a retry to find the same lookup.
 */
export async function deliveryOutput(
	this: IWebhookFunctions,
	key: string,
	event: TilledEvent,
	options: TriggerOptions,
): Promise<DeliveryOutput> {
	let lookup = lookups.get(key);
	if (lookup === undefined) {
		lookup = startLookup.call(this, event, options);
		lookups.set(key, lookup);
		for (const oldest of lookups.keys()) {
			if (lookups.size <= MAX_KEPT_LOOKUPS) break;
			lookups.delete(oldest);
		}
		// A failed lookup is not kept: the retry tries again.
		void lookup.then((output) => {
			if (output.error !== undefined && lookups.get(key) === lookup) lookups.delete(key);
		});
	}
	// The lookup is bounded by its own timeouts; the budget also bounds waits before sending
	// (a Retry-After, a queue behind other deliveries' lookups).
	const budget = sleep(LOOKUP_BUDGET_MS).then(
		(): DeliveryOutput => ({
			...withError(event, `Tilled did not answer the lookup within ${LOOKUP_BUDGET_MS / 1000} s`),
			pending: true,
		}),
	);
	return await Promise.race([lookup, budget]);
}

/** Forgets a delivery's lookup (and its failures) once its event ran. */
export function lookupUsed(key: string) {
	lookups.delete(key);
	lookupFailures.delete(key);
}

/**
 * A failed lookup is answered 503 (Tilled retries, and the retry may find the object) this many
 * times in this process, or while the event is younger than RUN_WITHOUT_OBJECT_AFTER_MS; after
 * that the event runs without its object, with `<key>_error`, so it is never dropped even if
 * Tilled's retries (their schedule is not published) run out.
 */
const MAX_LOOKUP_FAILURES = 3;
const RUN_WITHOUT_OBJECT_AFTER_MS = 15 * 60_000;
/** Failed lookups per delivery key in this process (bounded). */
const lookupFailures = new Map<string, number>();

/** Whether an event whose lookup failed runs now without its object (true) or is answered 503. */
export function runWithoutRelatedObject(key: string, event: TilledEvent): boolean {
	const failures = (lookupFailures.get(key) ?? 0) + 1;
	lookupFailures.set(key, failures);
	for (const oldest of lookupFailures.keys()) {
		if (lookupFailures.size <= MAX_KEPT_LOOKUPS) break;
		lookupFailures.delete(oldest);
	}
	const createdAt = typeof event.created_at === 'string' ? Date.parse(event.created_at) : Number.NaN;
	const old = Number.isFinite(createdAt) && Date.now() - createdAt > RUN_WITHOUT_OBJECT_AFTER_MS;
	if (failures < MAX_LOOKUP_FAILURES && !old) return false;
	lookupFailures.delete(key);
	return true;
}


async function startLookup(this: IWebhookFunctions, event: TilledEvent, options: TriggerOptions): Promise<DeliveryOutput> {
	try {
		const settings = await transportSettings.call(this, LOOKUP_TRANSPORT);
		const limiterKey = `${settings.baseUrl} ${settings.credentials?.id ?? ''}`;
		const shared = sharedLimiters.get(limiterKey) ?? settings.limiter;
		sharedLimiters.set(limiterKey, shared);
		settings.limiter = shared;
		const json = await eventOutput.call(this, settings, event, options);
		const error = relatedObjectError(json);
		return error === undefined ? { json } : { json, error };
	} catch (error) {
		return withError(event, (error as Error).message);
	}
}
