// The objects a trigger adds to an event ("Include Related Objects"), by event family. Tilled's
// event data is the resource the event is about (a payment intent, a charge, a refund, a dispute,
// a payout); what the data does not hold is the checkout session behind a payment, so that is
// looked up. A refund, dispute or payout event whose data is only a reference (no status) gets
// the whole object fetched.
import type { IDataObject } from 'n8n-workflow';
import { tilledApiRequest, tilledList, type TilledContext, type TransportSettings } from '../transport';

interface TriggerEvent extends IDataObject {
	id: string;
	type: string;
	account_id?: string;
	data?: IDataObject;
}

/** One object to add: its key in the item, what it is, and how to find it. */
interface RelatedObject {
	key: 'checkout_session' | 'refund' | 'dispute' | 'payout';
	/** Words for an error: "the checkout session of event evt_1 (payment intent pi_1)". */
	label: string;
	/** The object the lookup starts from, for the error. */
	from: string;
	find: (this: TilledContext, settings: TransportSettings, account: string | undefined) => Promise<IDataObject | null>;
}

const idOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

function checkoutSession(intent: string | undefined): RelatedObject[] {
	if (intent === undefined) return [];
	return [
		{
			key: 'checkout_session',
			label: 'checkout session',
			from: `payment intent ${intent}`,
			async find(settings, account) {
				const [session] = await tilledList.call(this, settings, { payment_intent_id: intent }, { limit: 1, pageConcurrency: 1, account, path: '/v1/checkout-sessions', action: 'list checkout sessions' });
				return session ?? null;
			},
		},
	];
}

/** The whole refund, dispute or payout, when the event's data is only a reference to it. */
function wholeObject(key: 'refund' | 'dispute' | 'payout', path: string, data: IDataObject): RelatedObject[] {
	const id = idOf(data.id);
	if (id === undefined || data.status !== undefined) return [];
	return [
		{
			key,
			label: key,
			from: `${key} ${id}`,
			async find(settings, account) {
				return await tilledApiRequest.call(this, settings, { method: 'GET', path: `${path}/${encodeURIComponent(id)}`, safety: 'idempotent', action: `get the ${key}`, account });
			},
		},
	];
}

/** What "Include Related Objects" adds to an event of this type (nothing for other families). */
export function relatedObjects(event: TriggerEvent): RelatedObject[] {
	const data = event.data ?? {};
	const [family] = event.type.split('.');
	if (event.type.startsWith('charge.refund.')) {
		// The data is the refund; the session is the one its payment intent paid.
		return [...wholeObject('refund', '/v1/refunds', data), ...checkoutSession(idOf(data.payment_intent_id))];
	}
	if (family === 'payment_intent') return checkoutSession(idOf(data.id));
	if (family === 'charge') return checkoutSession(idOf(data.payment_intent_id));
	if (family === 'dispute') return wholeObject('dispute', '/v1/disputes', data);
	if (family === 'payout') return wholeObject('payout', '/v1/payouts', data);
	return [];
}

/** The keys an event's related objects are added under (for an item built without the lookups). */
export function relatedKeys(event: TriggerEvent): string[] {
	return relatedObjects(event).map((related) => related.key);
}

/**
 * The event with its related objects. Never throws: a failed lookup gives `<key>: null` and
 * `<key>_error: "Could not look up the <label> of event <event id> (<object> <id>): <reason>"`.
 */
export async function withRelatedObjects(this: TilledContext, settings: TransportSettings, event: TriggerEvent): Promise<IDataObject> {
	// A connected account's objects are found only when the lookup acts for that account (the
	// credential's own account when the event names none).
	const account = idOf(event.account_id);
	const output: IDataObject = { ...event };
	for (const related of relatedObjects(event)) {
		try {
			output[related.key] = await related.find.call(this, settings, account);
		} catch (error) {
			output[related.key] = null;
			output[`${related.key}_error`] = `Could not look up the ${related.label} of event ${event.id} (${related.from}): ${(error as Error).message}`;
		}
	}
	return output;
}
