// Adaptive concurrency for one execution's requests to Tilled, whose rate limit is not published:
// additive increase while answers are quick and clean, multiplicative decrease on a 429, an
// overloaded server or a latency well above the fastest seen (as TCP congestion control does).
// After a 429 with a Retry-After, the send rate is also paced to what Tilled accepted in the
// last second. (Only then: isolated 429s without one would talk the pace down to a crawl.)
import { sleep } from 'n8n-workflow';

/** How an answer counts for the limit. */
export type LimitSignal =
	/** A quick, clean answer (2xx, or a 4xx that says nothing about load). */
	| 'ok'
	/** 429 with a Retry-After: Tilled counts requests over a time window, so the pace is learnt too. */
	| 'rateLimited'
	/** 429 without a Retry-After: too many, but no window to learn from (cut only). */
	| 'refused'
	/** 502-504, a timeout, a reset, a refused connection: Tilled or the way to it is struggling. */
	| 'overloaded'
	/** Says nothing about load (e.g. a 500 for one bad request). */
	| 'neutral';

export interface LimiterClock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export interface LimiterOptions {
	/** Never more requests at once than this (the Items in Parallel option). */
	ceiling: number;
	/** Requests at once to start with. */
	initial?: number;
	/** A pace (requests per second) learnt by an earlier run: requests keep to it from the first. */
	rate?: number;
	/** The requests per second Tilled accepted when it last answered 429 (an earlier run's). */
	acceptedAtLimit?: number;
	clock?: LimiterClock;
}

export const INITIAL_LIMIT = 10;
/** Cut on a 429 or an overloaded server. */
const BACKOFF = 0.5;
/** Cut when latency rises: gentler, latency is a noisier signal. */
const LATENCY_BACKOFF = 0.8;
/**
 * Latency counts as rising when its recent average (about the last 10 answers) is above this many
 * times the fastest answer plus the slack. A busy n8n adds latency itself as more requests are in
 * flight (answers queue for its one thread: measured 250-500 ms at 200 in flight on a loaded
 * 2-core machine against 20 ms from Tilled); the slack keeps that from reading as a struggling
 * Tilled, whose trouble shows as seconds.
 */
const LATENCY_FACTOR = 4;
const LATENCY_SLACK_MS = 1000;
const LATENCY_SMOOTHING = 0.1;
/** After a 429, the pace is this share of what Tilled accepted in the last second (its limit, as far as it shows)… */
const RATE_MARGIN = 0.9;
/** …grows back by about this share per second while answers stay clean, up to RATE_NEAR of that limit… */
const RATE_GROWTH_PER_SECOND = 0.05;
const RATE_NEAR = 0.97;
/**
 * …and above it by this share per second only: a raised limit is still found, but the old one is
 * not met again every few seconds (as TCP CUBIC slows its growth near the rate of its last loss).
 */
const RATE_PROBE_PER_SECOND = 0.002;
const RATE_WINDOW_MS = 1000;

const isRate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 1;

const SYSTEM_CLOCK: LimiterClock = { now: () => Date.now(), sleep: async (ms) => await sleep(ms) };

export interface Permit {
	/** Gives the slot back; `latencyMs` is how long the answer took (without waits before sending). */
	release(signal: LimitSignal, latencyMs?: number): void;
}

export class AdaptiveLimiter {
	readonly ceiling: number;
	/** Requests allowed at once; fractional while growing by less than one per answer. */
	limit: number;
	inFlight = 0;
	/** Below it the limit grows by one per clean answer (doubling per round trip); above, by one per round trip. */
	private threshold: number;
	private fastestMs = Number.POSITIVE_INFINITY;
	/** Average latency of recent clean answers. */
	private recentMs: number | undefined;
	/** Requests sent before this sequence number were in flight during the last cut. */
	private cutSequence = 0;
	private sequence = 0;
	private readonly waiting: Array<() => void> = [];
	/** Requests per second after a 429; undefined until the first. */
	rate: number | undefined;
	/** Requests per second Tilled accepted in the second before its last 429. */
	acceptedAtLimit: number | undefined;
	private nextSendAt = 0;
	/** Send times of recent accepted requests, for the rate Tilled allowed. */
	private readonly accepted: number[] = [];
	private readonly clock: LimiterClock;
	/** Counts, for tests and reports. */
	readonly stats = { rateLimited: 0, cuts: 0, peak: 0 };

	constructor(options: LimiterOptions) {
		this.ceiling = Math.max(1, Math.floor(options.ceiling));
		this.limit = Math.min(this.ceiling, Math.max(1, options.initial ?? INITIAL_LIMIT));
		this.threshold = this.ceiling;
		this.clock = options.clock ?? SYSTEM_CLOCK;
		if (isRate(options.rate)) this.rate = options.rate;
		if (isRate(options.acceptedAtLimit)) this.acceptedAtLimit = options.acceptedAtLimit;
	}

	/** Every request of the execution waits until then (a 429's Retry-After or backoff). */
	pausedUntil = 0;

	/** Holds every request until `until` (never shortens a pause already set). */
	pause(until: number) {
		this.pausedUntil = Math.max(this.pausedUntil, until);
	}

	/** Waits for a free slot (in order of asking), for a pause to end and, after a 429, for the pace. */
	async acquire(): Promise<Permit> {
		if (this.waiting.length > 0 || this.inFlight >= Math.floor(this.limit)) {
			// The slot is handed over by release(): inFlight already counts this request then.
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		} else {
			this.inFlight++;
		}
		this.stats.peak = Math.max(this.stats.peak, this.inFlight);
		for (let wait = this.pausedUntil - this.clock.now(); wait > 0; wait = this.pausedUntil - this.clock.now()) {
			await this.clock.sleep(wait);
		}
		if (this.rate !== undefined) {
			const now = this.clock.now();
			const at = Math.max(now, this.nextSendAt);
			this.nextSendAt = at + 1000 / this.rate;
			if (at > now) await this.clock.sleep(at - now);
		}
		const sequence = this.sequence++;
		const sentAt = this.clock.now();
		let busy = this.inFlight;
		let released = false;
		return {
			release: (signal, latencyMs) => {
				if (released) return;
				released = true;
				// Busy: how full the window was when this request was sent or answered.
				busy = Math.max(busy, this.inFlight);
				this.inFlight--;
				this.learn(signal, { sequence, sentAt, busy }, latencyMs ?? this.clock.now() - sentAt);
				this.handOver();
			},
		};
	}

	private learn(signal: LimitSignal, sent: { sequence: number; sentAt: number; busy: number }, latencyMs: number) {
		const { sequence, sentAt } = sent;
		// One cut per round trip: the answers to requests already in flight when the limit was
		// cut tell nothing new (a burst of 429s is one signal, not many).
		const afterLastCut = sequence >= this.cutSequence;
		if (signal === 'rateLimited' || signal === 'refused') {
			this.stats.rateLimited++;
			if (afterLastCut) {
				if (signal === 'rateLimited') this.paceToAccepted();
				this.cut(BACKOFF);
			}
			return;
		}
		if (signal === 'overloaded') {
			if (afterLastCut) this.cut(BACKOFF);
			return;
		}
		if (signal !== 'ok') return;
		this.remember(sentAt);
		this.fastestMs = Math.min(this.fastestMs, latencyMs);
		this.recentMs = this.recentMs === undefined ? latencyMs : this.recentMs + (latencyMs - this.recentMs) * LATENCY_SMOOTHING;
		if (this.recentMs > this.fastestMs * LATENCY_FACTOR + LATENCY_SLACK_MS) {
			if (afterLastCut) this.cut(LATENCY_BACKOFF);
			return;
		}
		if (this.rate !== undefined) {
			const near = this.acceptedAtLimit !== undefined && this.rate >= this.acceptedAtLimit * RATE_NEAR;
			// One clean answer is 1/rate of a second: the growth per second spread over its answers.
			this.rate *= 1 + (near ? RATE_PROBE_PER_SECOND : RATE_GROWTH_PER_SECOND) / this.rate;
		}
		// Grow only a limit that is being used (half full while this request was out): a few
		// items never earn a large one.
		if (sent.busy < this.limit / 2) return;
		this.limit = Math.min(this.ceiling, this.limit + (this.limit < this.threshold ? 1 : 1 / this.limit));
	}

	private cut(factor: number) {
		this.limit = Math.max(1, this.limit * factor);
		this.threshold = this.limit;
		this.cutSequence = this.sequence;
		this.stats.cuts++;
	}

	/** The pace after a 429: a bit under what Tilled accepted in the last second. */
	private paceToAccepted() {
		const since = this.clock.now() - RATE_WINDOW_MS;
		const accepted = this.accepted.filter((at) => at >= since).length;
		this.acceptedAtLimit = Math.max(1, accepted);
		this.rate = Math.max(1, accepted * RATE_MARGIN);
	}

	private remember(sentAt: number) {
		this.accepted.push(sentAt);
		const since = this.clock.now() - RATE_WINDOW_MS;
		let stale = 0;
		while (stale < this.accepted.length && this.accepted[stale] < since) stale++;
		if (stale > 0) this.accepted.splice(0, stale);
	}

	private handOver() {
		while (this.waiting.length > 0 && this.inFlight < Math.floor(this.limit)) {
			this.inFlight++;
			this.waiting.shift()!();
		}
	}
}
