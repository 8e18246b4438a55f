// What both Tilled triggers offer and do with an event: the event types, the options, the
// account filter and the checkout session behind a payment.
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { tilledListSessions, type TilledContext, type TransportSettings } from '../transport';

/** Tilled's payment events (no checkout_session.* events exist: payment shows on the intent). */
export const EVENT_TYPES = [
	'payment_intent.succeeded',
	'payment_intent.processing',
	'payment_intent.payment_failed',
	'payment_intent.canceled',
	'payment_intent.requires_action',
	'payment_intent.created',
	'charge.succeeded',
	'charge.pending',
	'charge.failed',
	'charge.captured',
	'charge.expired',
	'charge.refunded',
	'charge.refund.updated',
	'charge.updated',
] as const;

export const ALL_EVENTS = '*';

export const triggerProperties: INodeProperties[] = [
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		default: ['payment_intent.succeeded'],
		description:
			'The events that start the workflow. A checkout session is paid when its payment intent succeeds (payment_intent.succeeded).',
		options: [
			{ name: '* (All Events)', value: ALL_EVENTS, description: 'Every event Tilled sends' },
			...EVENT_TYPES.map((type) => ({ name: type, value: type })),
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Include Checkout Session',
				name: 'includeCheckoutSession',
				type: 'boolean',
				default: true,
				description:
					'Whether to look up the checkout session behind a payment intent or charge event and add it as checkout_session (null when the payment was not made through checkout)',
			},
			{
				displayName: 'All Connected Accounts',
				name: 'allAccounts',
				type: 'boolean',
				default: false,
				description:
					"Whether events of every account connected to the credential's account start the workflow, not only those of the credential's own account",
			},
		],
	},
];

export interface TriggerOptions {
	events: string[];
	includeCheckoutSession: boolean;
	allAccounts: boolean;
}

export function readTriggerOptions(this: TilledContext): TriggerOptions {
	const events = (this.getNodeParameter('events', []) as string[]).filter((type) => typeof type === 'string');
	const options = this.getNodeParameter('options', {}) as IDataObject;
	return {
		events: events.includes(ALL_EVENTS) || events.length === 0 ? [ALL_EVENTS] : events,
		includeCheckoutSession: options.includeCheckoutSession !== false,
		allAccounts: options.allAccounts === true,
	};
}

export interface TilledEvent extends IDataObject {
	id: string;
	type: string;
	account_id?: string;
	created_at?: string;
	data?: IDataObject;
}

export function isTilledEvent(value: unknown): value is TilledEvent {
	const event = value as TilledEvent | undefined;
	return typeof event?.id === 'string' && typeof event.type === 'string';
}

/** Whether this event should start the workflow: a chosen type, and the credential's account unless all are wanted. */
export function eventWanted(event: TilledEvent, options: TriggerOptions, accountId: string): boolean {
	if (!options.events.includes(ALL_EVENTS) && !options.events.includes(event.type)) return false;
	return options.allAccounts || event.account_id === accountId;
}

/** The payment intent an event is about: the intent itself, or a charge's. */
function paymentIntentId(event: TilledEvent): string | undefined {
	const data = event.data ?? {};
	const id = event.type.startsWith('payment_intent.') ? data.id : data.payment_intent_id;
	return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * The item a trigger emits: the event, plus checkout_session (or null) for payment events.
 * Never throws for a failed lookup: one event's failure must not hold back the others (a poll
 * would stop at it forever). The event comes with `checkout_session: null` and
 * `checkout_session_error` naming the event, the object and what Tilled answered.
 */
export async function eventOutput(
	this: TilledContext,
	settings: TransportSettings,
	event: TilledEvent,
	options: TriggerOptions,
): Promise<IDataObject> {
	if (!options.includeCheckoutSession) return { ...event };
	const intent = paymentIntentId(event);
	if (intent === undefined) return { ...event };
	// The session belongs to the event's account: a connected account's is found only when the
	// lookup acts for that account (the credential's own account when the event names none).
	const account = typeof event.account_id === 'string' && event.account_id !== '' ? event.account_id : undefined;
	try {
		const [session] = await tilledListSessions.call(this, settings, { payment_intent_id: intent }, { limit: 1, pageConcurrency: 1, account });
		return { ...event, checkout_session: session ?? null };
	} catch (error) {
		return {
			...event,
			checkout_session: null,
			checkout_session_error: `Could not look up the checkout session of event ${event.id} (payment intent ${intent}): ${(error as Error).message}`,
		};
	}
}
