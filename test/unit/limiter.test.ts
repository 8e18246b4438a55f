import { AdaptiveLimiter, INITIAL_LIMIT, type LimiterClock, type Permit } from '../../nodes/Tilled/transport/limiter';

/** A clock that only moves when told to, or when the limiter sleeps (the sleep is recorded). */
function manualClock() {
	const clock = {
		time: 1_000_000,
		slept: [] as number[],
		now: () => clock.time,
		sleep: async (ms: number) => {
			clock.slept.push(ms);
			clock.time += ms;
		},
	};
	return clock as LimiterClock & typeof clock;
}

/** Acquires `n` permits, in order; resolves when all are granted. */
async function acquireAll(limiter: AdaptiveLimiter, n: number): Promise<Permit[]> {
	return await Promise.all(Array.from({ length: n }, async () => await limiter.acquire()));
}

/**
 * Keeps the limiter's window full, as many items do: `answers` times, the oldest request is
 * answered (after `latencyMs`) and a new one takes its place. Returns the permits still open.
 */
async function pipeline(
	limiter: AdaptiveLimiter,
	clock: ReturnType<typeof manualClock>,
	answers: number,
	latencyMs: number,
	signal: 'ok' | 'rateLimited' = 'ok',
	open: Permit[] = [],
): Promise<Permit[]> {
	const fill = async () => {
		while (open.length < Math.floor(limiter.limit)) open.push(await limiter.acquire());
	};
	await fill();
	for (let i = 0; i < answers; i++) {
		clock.time += latencyMs / Math.max(1, open.length);
		open.shift()!.release(signal, latencyMs);
		await fill();
	}
	return open;
}

test('starts moderate and never lets more than the limit run; waiting requests go in order', async () => {
	const limiter = new AdaptiveLimiter({ ceiling: 200, clock: manualClock() });
	expect(limiter.limit).toBe(INITIAL_LIMIT);
	const granted: number[] = [];
	const permits = Array.from({ length: INITIAL_LIMIT + 3 }, (_, index) =>
		limiter.acquire().then((permit) => {
			granted.push(index);
			return permit;
		}),
	);
	await Promise.resolve();
	await new Promise((resolve) => setImmediate(resolve));
	expect(granted).toEqual(Array.from({ length: INITIAL_LIMIT }, (_, i) => i));
	expect(limiter.inFlight).toBe(INITIAL_LIMIT);
	(await permits[0]).release('neutral');
	(await permits[1]).release('neutral');
	await new Promise((resolve) => setImmediate(resolve));
	expect(granted).toEqual([...Array.from({ length: INITIAL_LIMIT }, (_, i) => i), INITIAL_LIMIT, INITIAL_LIMIT + 1]);
	expect(limiter.inFlight).toBe(INITIAL_LIMIT);
});

test('a ceiling below the start is the limit from the start', () => {
	expect(new AdaptiveLimiter({ ceiling: 3 }).limit).toBe(3);
	expect(new AdaptiveLimiter({ ceiling: 0 }).limit).toBe(1);
});

test('grows by one per quick clean answer (doubling per round trip) up to the ceiling, and no further', async () => {
	const clock = manualClock();
	const limiter = new AdaptiveLimiter({ ceiling: 50, clock });
	const open = await pipeline(limiter, clock, INITIAL_LIMIT, 20);
	expect(limiter.limit).toBe(2 * INITIAL_LIMIT);
	await pipeline(limiter, clock, 200, 20, 'ok', open);
	expect(limiter.limit).toBe(50);
	expect(limiter.stats).toMatchObject({ cuts: 0, peak: 50 });
});

test('a limit that is not used does not grow', async () => {
	const limiter = new AdaptiveLimiter({ ceiling: 200, clock: manualClock() });
	for (let i = 0; i < 100; i++) (await limiter.acquire()).release('ok', 20);
	expect(limiter.limit).toBe(INITIAL_LIMIT);
});

test('a burst of 429s halves the limit once, then it grows by one per round trip only', async () => {
	const clock = manualClock();
	const limiter = new AdaptiveLimiter({ ceiling: 200, initial: 40, clock });
	const burst = await acquireAll(limiter, 40);
	for (const permit of burst) permit.release('rateLimited', 20);
	expect(limiter.limit).toBe(20);
	expect(limiter.stats).toMatchObject({ rateLimited: 40, cuts: 1 });

	// Congestion avoidance: a full round of 20 clean answers adds about one.
	const round = await acquireAll(limiter, 20);
	for (const permit of round) permit.release('ok', 20);
	expect(limiter.limit).toBeGreaterThan(20.9);
	expect(limiter.limit).toBeLessThan(21.1);
});

/** A limiter that saw 100 requests accepted within the last second, then a 429 with a Retry-After. */
async function limitedAfter100(clock: ReturnType<typeof manualClock>) {
	const limiter = new AdaptiveLimiter({ ceiling: 200, initial: 100, clock });
	const accepted = await acquireAll(limiter, 100);
	clock.time += 500;
	for (const permit of accepted) permit.release('ok', 20);
	(await limiter.acquire()).release('rateLimited', 20);
	return limiter;
}

test('after a 429 the pace is a bit under what Tilled accepted in the last second', async () => {
	const clock = manualClock();
	const limiter = await limitedAfter100(clock);
	expect(limiter.rate).toBeCloseTo(90, 5);

	// The next sends are spaced 1000 / 90 ms apart.
	clock.slept.length = 0;
	const paced = await acquireAll(limiter, 5);
	expect(clock.slept.length).toBe(4);
	for (const wait of clock.slept) expect(wait).toBeCloseTo(1000 / 90, 0);
	for (const permit of paced) permit.release('ok', 20);
	expect(limiter.rate).toBeGreaterThan(90);
});

test('the pace grows back quickly to near the limit Tilled showed, and only slowly past it', async () => {
	const clock = manualClock();
	const limiter = await limitedAfter100(clock);
	expect(limiter.acceptedAtLimit).toBe(100);
	expect(limiter.rate).toBeCloseTo(90, 5);

	// About one second of clean answers at the pace: +5 % while below 97 % of the 100 seen.
	for (let answer = 0; answer < 90; answer++) (await limiter.acquire()).release('ok', 20);
	expect(limiter.rate).toBeGreaterThan(94);
	expect(limiter.rate).toBeLessThan(95.5);
	// Then it reaches 97 and slows to +0.2 % a second: ten more seconds stay under the limit.
	for (let answer = 0; answer < 1000; answer++) (await limiter.acquire()).release('ok', 20);
	expect(limiter.rate).toBeGreaterThan(97);
	expect(limiter.rate).toBeLessThan(100);
});

test('a pace from an earlier run holds from the first request', async () => {
	const clock = manualClock();
	const limiter = new AdaptiveLimiter({ ceiling: 200, clock, rate: 50, acceptedAtLimit: 55 });
	const permits = await acquireAll(limiter, 5);
	expect(clock.slept.length).toBe(4);
	for (const wait of clock.slept) expect(wait).toBeCloseTo(20, 0);
	for (const permit of permits) permit.release('ok', 20);
	// Junk from static data is ignored.
	const junk = new AdaptiveLimiter({ ceiling: 10, rate: Number.NaN, acceptedAtLimit: 0 });
	expect([junk.rate, junk.acceptedAtLimit]).toEqual([undefined, undefined]);
});

test('a 429 without a Retry-After halves the limit but sets no pace', async () => {
	const clock = manualClock();
	const limiter = new AdaptiveLimiter({ ceiling: 200, initial: 20, clock });
	const permits = await acquireAll(limiter, 20);
	for (const permit of permits) permit.release('refused', 20);
	expect(limiter.limit).toBe(10);
	expect(limiter.rate).toBeUndefined();
	expect(limiter.stats).toMatchObject({ rateLimited: 20, cuts: 1 });
});

test('no pacing before the first 429', async () => {
	const clock = manualClock();
	const limiter = new AdaptiveLimiter({ ceiling: 200, clock });
	const permits = await acquireAll(limiter, 10);
	expect(clock.slept).toEqual([]);
	expect(limiter.rate).toBeUndefined();
	for (const permit of permits) permit.release('ok', 20);
});

test('latency far above the fastest answer cuts the limit; ordinary variation does not', async () => {
	const clock = manualClock();
	const limiter = new AdaptiveLimiter({ ceiling: 200, initial: 20, clock });
	const open = await pipeline(limiter, clock, 20, 20);
	expect(limiter.limit).toBe(40);
	// A busy n8n adds latency as more is in flight: 25 times the fastest is still fine, and so is
	// one slow answer among quick ones.
	await pipeline(limiter, clock, 40, 500, 'ok', open);
	await pipeline(limiter, clock, 1, 3000, 'ok', open);
	expect(limiter.stats.cuts).toBe(0);
	// Answers that stay seconds slow cut the limit, once per round trip.
	const before = limiter.limit;
	await pipeline(limiter, clock, 20, 5000, 'ok', open);
	expect(limiter.stats.cuts).toBe(1);
	expect(limiter.limit).toBeCloseTo(before * 0.8, 5);
});

test('an overloaded Tilled (502-504, timeouts) halves the limit; neutral answers change nothing', async () => {
	const limiter = new AdaptiveLimiter({ ceiling: 200, initial: 16, clock: manualClock() });
	const permits = await acquireAll(limiter, 16);
	permits[0].release('neutral');
	expect(limiter.limit).toBe(16);
	permits[1].release('overloaded');
	expect(limiter.limit).toBe(8);
	for (const permit of permits.slice(2)) permit.release('overloaded');
	expect(limiter.limit).toBe(8);
	expect(limiter.inFlight).toBe(0);
});

test('releasing a permit twice counts once', async () => {
	const limiter = new AdaptiveLimiter({ ceiling: 5, clock: manualClock() });
	const permit = await limiter.acquire();
	permit.release('ok', 10);
	permit.release('ok', 10);
	expect(limiter.inFlight).toBe(0);
});

test('a pause holds every request until it ends, and the pace starts from there', async () => {
	const clock = manualClock();
	const limiter = new AdaptiveLimiter({ ceiling: 10, clock });
	const first = await limiter.acquire();
	clock.time += 10;
	first.release('ok', 10);
	const refused = await limiter.acquire();
	refused.release('rateLimited', 10);
	limiter.pause(clock.time + 1000);
	limiter.pause(clock.time + 500);
	const start = clock.time;
	clock.slept.length = 0;
	const next = await limiter.acquire();
	expect(clock.time - start).toBe(1000);
	expect(clock.slept).toEqual([1000]);
	next.release('ok', 10);
});
