// Tilled retries a delivery until it gets a 2xx, so one event may arrive several times, even at
// once. n8n's deduplication helpers are not offered to webhook and poll contexts (n8n 1.123 and
// 2.41), so the triggers keep event ids themselves, bounded.
//
// Two stores: this process's memory (deliveries under way and just finished, before n8n has
// saved anything) and the workflow's static data (what survives a restart, and what every n8n
// process reads on its next delivery). n8n saves static data after a webhook call only when it is
// marked changed, and only an assignment marks it: a push into an array loaded from the database
// does on 1.x but not always on 2.x (the array's proxy reports to a root n8n no longer checks), so
// the list is always replaced by a new array, never changed in place.

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

/**
 * The run of `id` is being handed to n8n: remembered as done here, and in the static data as a
 * new array (an assignment, which n8n notices and saves right after this webhook call).
 */
export function markEventRun(scope: string, id: string, data: SeenEvents) {
	inProcess.get(scope)?.set(id, 'done');
	const ids = persistedIds(data).filter((known) => known !== id);
	ids.push(id);
	data.recentEventIds = ids.slice(-MAX_REMEMBERED_EVENTS);
}

/** Forgets a claimed id whose run could not start, so Tilled's retry is let through. */
export function releaseEvent(scope: string, id: string) {
	const recent = inProcess.get(scope);
	if (recent?.get(id) === 'inFlight') recent.delete(id);
}
