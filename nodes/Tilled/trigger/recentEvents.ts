// Tilled retries a delivery until it gets a 2xx, so one event may arrive several times, even at
// once. n8n's deduplication helpers are not offered to webhook and poll contexts (n8n 1.123 and
// 2.41), so the triggers keep event ids themselves, bounded.

/** Ids kept per trigger; a retry of an older event than this is not recognised. */
export const MAX_REMEMBERED_EVENTS = 1000;

/**
 * Ids seen by this n8n process, per webhook endpoint: two deliveries of one event that arrive
 * together are told apart here, before either execution has saved the workflow's static data.
 */
const inProcess = new Map<string, string[]>();

/** Remembers `id` under `scope`; false when it was remembered already (a duplicate). */
export function rememberEvent(scope: string, id: string, persisted: string[]): boolean {
	const recent = inProcess.get(scope) ?? [];
	if (recent.includes(id) || persisted.includes(id)) return false;
	recent.push(id);
	if (recent.length > MAX_REMEMBERED_EVENTS) recent.splice(0, recent.length - MAX_REMEMBERED_EVENTS);
	inProcess.set(scope, recent);
	persisted.push(id);
	if (persisted.length > MAX_REMEMBERED_EVENTS) persisted.splice(0, persisted.length - MAX_REMEMBERED_EVENTS);
	return true;
}

/** Forgets an id whose run could not start, so Tilled's retry is let through. */
export function forgetEvent(scope: string, id: string, persisted: string[]) {
	for (const list of [inProcess.get(scope) ?? [], persisted]) {
		const index = list.indexOf(id);
		if (index >= 0) list.splice(index, 1);
	}
}
