import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { ALL_EVENTS, eventOutput, eventWanted, isTilledEvent, readTriggerOptions, triggerProperties, type TilledEvent } from './trigger/events';
import { tilledList, transportSettings } from './transport';

/**
 * Each poll reads again this far behind the newest event it has seen: events Tilled makes
 * visible late (created during the last poll, other clocks) are still found. Ids inside the
 * window are remembered, so none is emitted twice.
 */
export const POLL_OVERLAP_MS = 5 * 60 * 1000;

interface PollState extends IDataObject {
	/** created_at of the newest event seen (Tilled's clock), ms. */
	cursorMs?: number;
	/** Ids of events seen with created_at at or after cursorMs - POLL_OVERLAP_MS. */
	seenIds?: string[];
}

const createdMs = (event: TilledEvent) => {
	const ms = Date.parse(String(event.created_at ?? ''));
	return Number.isNaN(ms) ? 0 : ms;
};

export class TilledPollingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tilled Polling Trigger',
		name: 'tilledPollingTrigger',
		icon: { light: 'file:tilled.svg', dark: 'file:tilled.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description: 'Starts the workflow for new Tilled events, read on a schedule (no public URL needed)',
		defaults: { name: 'Tilled Polling Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tilledApi', required: true }],
		properties: [
			{
				displayName:
					'Reads new events from Tilled on the schedule below; no public URL needed. The API key needs the events:read scope (and checkout_sessions:read for Include Checkout Session).',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...triggerProperties,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const options = readTriggerOptions.call(this);
		const settings = await transportSettings.call(this);
		const credentials = await this.getCredentials('tilledApi');
		const accountId = String(credentials.accountId ?? '');
		const state = this.getWorkflowStaticData('node') as PollState;
		const manual = this.getMode() === 'manual';
		const types = options.events.includes(ALL_EVENTS) ? {} : { types: options.events };

		if (manual) {
			// "Fetch test event": the newest matching event, without moving the cursor.
			const events = (await tilledList.call(this, settings, types, { limit: 20, pageConcurrency: 1, path: '/v1/events', action: 'list events' })).filter(isTilledEvent);
			const event = events.find((candidate) => eventWanted(candidate, options, accountId));
			if (!event) return null;
			return [[{ json: await eventOutput.call(this, settings, event, options) }]];
		}

		const firstPoll = state.cursorMs === undefined;
		const sinceMs = (state.cursorMs ?? Date.now()) - POLL_OVERLAP_MS;
		const listed = await tilledList.call(
			this,
			settings,
			{ ...types, created_at_gte: new Date(sinceMs).toISOString() },
			{ pageConcurrency: 1, path: '/v1/events', action: 'list events' },
		);
		const seen = new Set(state.seenIds ?? []);
		const fresh = listed.filter(isTilledEvent).filter((event) => !seen.has(event.id));
		const cursorMs = Math.max(state.cursorMs ?? 0, ...listed.filter(isTilledEvent).map(createdMs));
		const windowStart = cursorMs - POLL_OVERLAP_MS;
		const keep = [...(state.seenIds ?? []), ...fresh.map((event) => event.id)];
		const byId = new Map(listed.filter(isTilledEvent).map((event) => [event.id, event]));

		// The first poll only takes note of what is already there: the trigger starts from now.
		const emit = firstPoll
			? []
			: fresh.filter((event) => eventWanted(event, options, accountId)).sort((a, b) => createdMs(a) - createdMs(b));
		const items: INodeExecutionData[] = [];
		for (const event of emit) items.push({ json: await eventOutput.call(this, settings, event, options) });

		// Saved only after every lookup worked: a failed poll reads the same events again.
		state.cursorMs = cursorMs === 0 ? Date.now() : cursorMs;
		state.seenIds = keep.filter((id) => {
			const event = byId.get(id);
			return event === undefined ? false : createdMs(event) >= windowStart;
		});
		return items.length > 0 ? [items] : null;
	}
}
