import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { TransportSettings } from './settings';

// The pace Tilled allowed (after a 429) is kept in the node's static data, which n8n saves after
// production runs: the next run keeps to it from its first request instead of meeting the limit
// with a burst of refused requests. It is forgotten after an hour without a run; a run still grows it
// (slowly) while answers are clean, so a raised limit is found again.
const PACE_KEY = 'tilledPace';
const PACE_MEMORY_MS = 60 * 60_000;

/** What a run learnt of Tilled's rate limit, in requests per second. */
export interface Pace {
	rate: number;
	acceptedAtLimit?: number;
}

/** The pace kept in static data and when it was learnt, if the record is whole. */
function storedPace(staticData: IDataObject): (Pace & { learntAt: number }) | undefined {
	const { requestsPerSecond, acceptedPerSecond, learntAt } = (staticData[PACE_KEY] as IDataObject | undefined) ?? {};
	if (typeof requestsPerSecond !== 'number' || !(requestsPerSecond >= 1) || typeof learntAt !== 'number') return undefined;
	return { rate: requestsPerSecond, acceptedAtLimit: typeof acceptedPerSecond === 'number' ? acceptedPerSecond : undefined, learntAt };
}

/** What an earlier run of this node learnt of Tilled's rate limit within the last hour, if anything. */
export function rememberedPace(this: IExecuteFunctions, now = Date.now()): Pace | undefined {
	const stored = storedPace(this.getWorkflowStaticData('node'));
	if (!stored || now - stored.learntAt > PACE_MEMORY_MS) return undefined;
	return { rate: stored.rate, acceptedAtLimit: stored.acceptedAtLimit };
}

// n8n saves a workflow's static data whole after a run that changed it, so a run going on at the
// same time (a Tilled Trigger's record of the events it saw, say) can lose what it saved meanwhile.
// The pace is therefore written again only when it says something new.
const PACE_REFRESH_MS = 10 * 60_000;
const PACE_CHANGE = 0.05;

/**
 * Keeps what this run ended with for the next runs (nothing if Tilled never limited it): written
 * when this run met a 429, when its pace moved by more than 5 %, or to keep a pace older than 10
 * minutes from being forgotten.
 */
export function rememberPace(this: IExecuteFunctions, settings: TransportSettings, now = Date.now()) {
	const { rate, acceptedAtLimit, stats } = settings.limiter;
	if (rate === undefined) return;
	const staticData = this.getWorkflowStaticData('node');
	const stored = storedPace(staticData);
	const news =
		stats.rateLimited > 0 ||
		!stored ||
		Math.abs(rate - stored.rate) > stored.rate * PACE_CHANGE ||
		now - stored.learntAt > PACE_REFRESH_MS;
	if (!news) return;
	const round = (value: number) => Math.round(value * 10) / 10;
	staticData[PACE_KEY] = {
		requestsPerSecond: round(rate),
		...(acceptedAtLimit !== undefined ? { acceptedPerSecond: round(acceptedAtLimit) } : {}),
		learntAt: now,
	};
}
