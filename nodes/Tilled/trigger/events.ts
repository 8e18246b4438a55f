// What both Tilled triggers offer and do with an event: the event types, the options, the
// account filter and the related objects (trigger/relatedObjects.ts).
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { TilledContext, TransportSettings } from '../transport';
import { EVENT_TYPES } from './eventTypes';
import { withRelatedObjects } from './relatedObjects';

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
			{ name: '* (All Events)', value: ALL_EVENTS, description: 'Every event Tilled sends (*)' },
			...[...EVENT_TYPES].sort((a, b) => a.name.localeCompare(b.name)),
		],
	},
	{
		displayName: 'Include Related Objects',
		name: 'includeRelatedObjects',
		type: 'boolean',
		default: true,
		description:
			"Whether to add what the event's data does not hold: the checkout session behind a payment intent, charge or refund event (checkout_session, null when the payment was not made through checkout). Refund, dispute and payout events already carry the whole refund, dispute or payout, so nothing is added for them (it is fetched only if Tilled sent just its ID). A failed lookup adds null and an error next to it (e.g. checkout_session_error).",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'All Connected Accounts',
				name: 'allAccounts',
				type: 'boolean',
				default: false,
				description:
					"Whether events of every account connected to the credential's account start the workflow, not only those of the credential's own account",
			},
			{
				// Kept in the description: n8n drops a saved collection value its node no longer
				// describes, and workflows made before Include Related Objects may have set it off.
				displayName: 'Include Checkout Session (Deprecated)',
				name: 'includeCheckoutSession',
				type: 'boolean',
				default: true,
				description:
					'Whether to look up related objects (kept for workflows made before Include Related Objects; off here turns them off). Use Include Related Objects instead.',
			},
		],
	},
];

export interface TriggerOptions {
	events: string[];
	/** Include Related Objects (or, in workflows made before it, Options > Include Checkout Session). */
	includeRelatedObjects: boolean;
	allAccounts: boolean;
}

export function readTriggerOptions(this: TilledContext): TriggerOptions {
	const events = (this.getNodeParameter('events', []) as string[]).filter((type) => typeof type === 'string');
	const options = this.getNodeParameter('options', {}) as IDataObject;
	return {
		events: events.includes(ALL_EVENTS) || events.length === 0 ? [ALL_EVENTS] : events,
		// Workflows made before Include Related Objects existed may set Options > Include Checkout
		// Session: false there still turns the lookups off.
		includeRelatedObjects: this.getNodeParameter('includeRelatedObjects', true) !== false && options.includeCheckoutSession !== false,
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

/**
 * The item a trigger emits: the event, plus its related objects (trigger/relatedObjects.ts).
 * Never throws for a failed lookup: one event's failure must not hold back the others (a poll
 * would stop at it forever). The event comes with `<key>: null` and `<key>_error` naming the
 * event, the object and what Tilled answered.
 */
export async function eventOutput(
	this: TilledContext,
	settings: TransportSettings,
	event: TilledEvent,
	options: TriggerOptions,
): Promise<IDataObject> {
	if (!options.includeRelatedObjects) return { ...event };
	return await withRelatedObjects.call(this, settings, event);
}
