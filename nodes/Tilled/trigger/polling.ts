// One poll of the Tilled Polling Trigger: which events are new since the cursor, at most
// MAX_EVENTS_PER_POLL of them (oldest first), each once, even when n8n starts a poll while the
// previous one is still running.
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { listRequest, mapConcurrent, tilledApiRequest, tilledError, tilledList, transportSettings, type ListPage, type TransportSettings } from '../transport';
import { ALL_EVENTS, eventOutput, eventWanted, isTilledEvent, readTriggerOptions, type TilledEvent } from './events';

/**
 * Each poll reads again this far behind the newest event it has seen: events Tilled makes
 * visible late (created during the last poll, other clocks) are still found. Ids inside the
 * window are remembered, so none is emitted twice.
 */
export const POLL_OVERLAP_MS = 5 * 60 * 1000;
/**
 * At most this many events per poll: after a long outage each poll does a bounded amount of work
 * (reads, lookups) and saves its cursor, and the next poll goes on from there.
 */
export const MAX_EVENTS_PER_POLL = 500;
/** Related-object lookups of one poll that run at once. */
const LOOKUP_CONCURRENCY = 4;
/** A poll still marked running after this long is taken as lost (its process state, not Tilled's). */
const STALE_POLL_MS = 30 * 60_000;
const PAGE_SIZE = 100;
/** Tilled's event list, and what its errors say was being done. */
const EVENTS = { path: '/v1/events', action: 'list events' };

interface PollState extends IDataObject {
	/** created_at of the newest event emitted or noted (Tilled's clock), ms. */
	cursorMs?: number;
	/** Ids of events seen with created_at at or after cursorMs - POLL_OVERLAP_MS. */
	seenIds?: string[];
}

/**
 * Polls running in this process, by workflow and node. n8n starts a poll on schedule without
 * waiting for the previous one; a poll that finds one still running returns nothing (the
 * running one saves the cursor, the next poll goes on from it), so two polls never read the
 * same cursor. Polls run on the main process only (also in queue mode), so one map suffices.
 */
const runningPolls = new Map<string, { startedAt: number }>();

const createdMs = (event: TilledEvent) => {
	const ms = Date.parse(String(event.created_at ?? ''));
	return Number.isNaN(ms) ? 0 : ms;
};

export async function pollEvents(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	if (this.getMode() === 'manual') return await fetchTestEvent.call(this);
	const key = `${this.getWorkflow().id ?? ''} ${this.getNode().id}`;
	const running = runningPolls.get(key);
	if (running !== undefined && Date.now() - running.startedAt < STALE_POLL_MS) return null;
	const mine = { startedAt: Date.now() };
	runningPolls.set(key, mine);
	try {
		return await pollOnce.call(this);
	} finally {
		if (runningPolls.get(key) === mine) runningPolls.delete(key);
	}
}

/** "Fetch test event": the newest matching event, without moving the cursor. */
async function fetchTestEvent(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const options = readTriggerOptions.call(this);
	const settings = await transportSettings.call(this);
	const accountId = String((await this.getCredentials('tilledApi')).accountId ?? '');
	const types = options.events.includes(ALL_EVENTS) ? {} : { types: options.events };
	const events = (await tilledList.call(this, settings, types, { limit: 20, pageConcurrency: 1, ...EVENTS })).filter(isTilledEvent);
	const event = events.find((candidate) => eventWanted(candidate, options, accountId));
	if (!event) return null;
	return [[{ json: await eventOutput.call(this, settings, event, options) }]];
}

async function pollOnce(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const options = readTriggerOptions.call(this);
	const settings = await transportSettings.call(this);
	const accountId = String((await this.getCredentials('tilledApi')).accountId ?? '');
	const state = this.getWorkflowStaticData('node') as PollState;
	const types = options.events.includes(ALL_EVENTS) ? {} : { types: options.events };
	const seenIds = state.seenIds ?? [];

	if (state.cursorMs === undefined) {
		// The first poll only takes note of what is already there: the trigger starts from now.
		const recent = (
			await tilledList.call(
				this,
				settings,
				{ ...types, created_at_gte: new Date(Date.now() - POLL_OVERLAP_MS).toISOString() },
				{ limit: 1000, pageConcurrency: 1, ...EVENTS },
			)
		).filter(isTilledEvent);
		// The newest event's time on Tilled's clock (n8n's clock when there is none).
		let cursorMs = recent.length > 0 ? 0 : Date.now();
		for (const event of recent) cursorMs = Math.max(cursorMs, createdMs(event));
		state.cursorMs = cursorMs;
		state.seenIds = recent.filter((event) => createdMs(event) >= cursorMs - POLL_OVERLAP_MS).map((event) => event.id);
		return null;
	}

	const query = { ...types, created_at_gte: new Date(state.cursorMs - POLL_OVERLAP_MS).toISOString() };
	// The oldest events since the window's start: enough to hold every seen id plus a full batch.
	const { events: listed, complete } = await oldestEvents.call(this, settings, query, seenIds.length + MAX_EVENTS_PER_POLL);
	const seen = new Set(seenIds);
	// Oldest first; events with one created_at keep Tilled's order, reversed (the list is newest first).
	const fresh = [...listed]
		.reverse()
		.filter((event) => !seen.has(event.id))
		.sort((a, b) => createdMs(a) - createdMs(b));
	const batch = fresh.slice(0, MAX_EVENTS_PER_POLL);

	let cursorMs = state.cursorMs;
	for (const event of batch) cursorMs = Math.max(cursorMs, createdMs(event));
	const windowStart = cursorMs - POLL_OVERLAP_MS;
	const createdById = new Map(listed.map((event) => [event.id, createdMs(event)]));
	const emit = batch.filter((event) => eventWanted(event, options, accountId));
	// eventOutput never throws for a lookup (the event comes with `<key>_error`), so one event
	// cannot hold back the others, and the cursor below is always saved.
	const items = await mapConcurrent(emit, LOOKUP_CONCURRENCY, async (event) => ({
		json: await eventOutput.call(this, settings, event, options),
	}));

	state.cursorMs = cursorMs;
	state.seenIds = [...seenIds, ...batch.map((event) => event.id)].filter((id) => {
		const created = createdById.get(id);
		// A seen id the partial read did not reach is newer than everything it read: still in the window.
		if (created === undefined) return !complete;
		return created >= windowStart;
	});
	return items.length > 0 ? [items] : null;
}

/**
 * The `count` oldest events matching `query` (Tilled lists newest first, so they are on the last
 * pages): the total from a one-event page, then the pages from `total - count` to the end. Events
 * created meanwhile push the others further back; the pages are followed until has_more is false,
 * so none of the oldest is missed. `complete` is true when every matching event was read.
 */
async function oldestEvents(
	this: IPollFunctions,
	settings: TransportSettings,
	query: IDataObject,
	count: number,
): Promise<{ events: TilledEvent[]; complete: boolean }> {
	const request = listRequest(EVENTS);
	const head = (await tilledApiRequest.call(this, settings, { ...request, qs: { ...query, offset: 0, limit: 1 } })) as unknown as ListPage;
	if (typeof head.total !== 'number') {
		// No total: read all (Tilled's lists give one; this keeps a list without it working).
		const all = (await tilledList.call(this, settings, query, { pageConcurrency: 1, ...EVENTS })).filter(isTilledEvent);
		return { events: all, complete: true };
	}
	const start = Math.max(0, head.total - count);
	const events = new Map<string, TilledEvent>();
	// Bounded: the pages up to the total, plus as many again for events created while reading.
	const maxPages = 2 * Math.ceil((head.total - start) / PAGE_SIZE) + 2;
	let offset = start;
	for (let pages = 0; ; pages++) {
		if (pages >= maxPages) {
			throw tilledError(this.getNode(), request, {
				message: `the event list did not end after ${pages} pages from offset ${start} (total ${head.total}); not emitting a partial list`,
			});
		}
		const page = (await tilledApiRequest.call(this, settings, { ...request, qs: { ...query, offset, limit: PAGE_SIZE } })) as unknown as ListPage;
		if (!Array.isArray(page.items)) throw tilledError(this.getNode(), request, { message: 'the list response has no items array' });
		for (const event of page.items) if (isTilledEvent(event)) events.set(event.id, event);
		offset += page.items.length;
		if (!page.has_more || page.items.length === 0) break;
	}
	return { events: [...events.values()], complete: start === 0 };
}
