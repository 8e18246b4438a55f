// Tilled retries a delivery until it gets a 2xx, so one event may arrive several times, even at
// once. n8n's deduplication helpers are not offered to webhook and poll contexts (n8n 1.123 and
// 2.41), so the triggers keep event ids themselves, bounded.
//
// Two stores: this process's memory (deliveries under way and just finished, before n8n has
// saved anything) and the workflow's static data (what survives a restart, and what every n8n
// process reads on its next delivery). n8n saves static data after a webhook call only when it is
// marked changed (`__dataChanged`, set by any assignment into it). n8n 2.x then erases that mark
// before it saves: WorkflowRunner.run() starts with establishContextForPersistence(), which builds
// a second Workflow on the same static data object, and ObservableObject.create() resets
// `__dataChanged` to false on it; live-webhooks' saveStaticData() then finds nothing changed. So the
// ids are written again (an assignment, marking it anew) for a while after webhook() returned:
// one of those writes falls between the reset and the save. n8n 1.x has no reset; the first write
// is saved there.
import { sleep } from 'n8n-workflow';

/** Ids kept per trigger; a retry of an older event than this is not recognised. */
export const MAX_REMEMBERED_EVENTS = 1000;

/** The static data a trigger keeps its seen event ids in. */
export interface SeenEvents {
	recentEventIds?: unknown;
	[key: string]: unknown;
}

/** What is known of an event: a new one, one whose run is being prepared here, or one already run. */
export type EventState = 'new' | 'inFlight' | 'done';

/**
 * Per webhook endpoint, the ids this process has seen, in order: `inFlight` while webhook() is
 * preparing the run (the lookup), `done` once the run was handed to n8n.
 */
const inProcess = new Map<string, Map<string, 'inFlight' | 'done'>>();

function persistedIds(data: SeenEvents): string[] {
	return Array.isArray(data.recentEventIds) ? data.recentEventIds.filter((id): id is string => typeof id === 'string') : [];
}

/** Whether `id` was seen, here or in the saved ids. */
export function eventState(scope: string, id: string, data: SeenEvents): EventState {
	const local = inProcess.get(scope)?.get(id);
	if (local) return local;
	return persistedIds(data).includes(id) ? 'done' : 'new';
}

/**
 * Claims `id` under `scope` for a delivery being prepared; false when it is not new (a duplicate,
 * in flight or done). Claiming writes nothing to static data: that happens when the run starts
 * (`markEventRun`), so an event whose run never started is never recorded as run.
 */
export function claimEvent(scope: string, id: string, data: SeenEvents): boolean {
	if (eventState(scope, id, data) !== 'new') return false;
	const recent = inProcess.get(scope) ?? new Map<string, 'inFlight' | 'done'>();
	recent.set(id, 'inFlight');
	// A Map keeps insertion order: the oldest go first.
	for (const oldest of recent.keys()) {
		if (recent.size <= MAX_REMEMBERED_EVENTS) break;
		recent.delete(oldest);
	}
	inProcess.set(scope, recent);
	return true;
}

/** When the ids are written again after webhook() returned (ms after the first write). */
const REWRITE_AT_MS = [
	...Array.from({ length: 20 }, (_, index) => (index + 1) * 5),
	...Array.from({ length: 38 }, (_, index) => 100 + (index + 1) * 50),
];

/** The saved ids with this process's finished ones added, newest last, bounded. */
function writeIds(scope: string, data: SeenEvents) {
	const ids = persistedIds(data);
	const known = new Set(ids);
	for (const [id, state] of inProcess.get(scope) ?? []) {
		if (state === 'done' && !known.has(id)) ids.push(id);
	}
	// A new array: an assignment is what marks static data changed.
	data.recentEventIds = ids.slice(-MAX_REMEMBERED_EVENTS);
}

/**
 * The run of `id` is being handed to n8n: remembered as done here and written into the static
 * data, again and again for about 2 s (see the top of this file), each time with every id this
 * process finished, so two deliveries saved at once do not drop each other's id.
 */
export function markEventRun(scope: string, id: string, data: SeenEvents) {
	inProcess.get(scope)?.set(id, 'done');
	writeIds(scope, data);
	void rewriteIds(scope, data);
}

async function rewriteIds(scope: string, data: SeenEvents) {
	let waited = 0;
	for (const at of REWRITE_AT_MS) {
		await sleep(at - waited);
		waited = at;
		writeIds(scope, data);
	}
}

/** Forgets a claimed id whose run could not start, so Tilled's retry is let through. */
export function releaseEvent(scope: string, id: string) {
	const recent = inProcess.get(scope);
	if (recent?.get(id) === 'inFlight') recent.delete(id);
}
