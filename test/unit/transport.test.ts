import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	AdaptiveLimiter,
	backoffMs,
	listRequest,
	listQuery,
	mapConcurrent,
	rememberPace,
	retryAfterMs,
	tilledError,
	type TransportSettings,
} from '../../nodes/Tilled/transport';

test('backoff doubles per attempt, with jitter between half and all of it, capped at 30 s', () => {
	expect(backoffMs(500, 0, 0)).toBe(250);
	expect(backoffMs(500, 0, 1)).toBe(500);
	expect(backoffMs(500, 3, 1)).toBe(4000);
	expect(backoffMs(500, 3, 0)).toBe(2000);
	expect(backoffMs(500, 20, 1)).toBe(30000);
});

test('Retry-After in seconds or as an HTTP date', () => {
	const now = Date.parse('2026-01-01T00:00:00Z');
	expect(retryAfterMs('3', now)).toBe(3000);
	expect(retryAfterMs('0', now)).toBe(0);
	expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
	expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
	expect(retryAfterMs('soon', now)).toBeUndefined();
	expect(retryAfterMs(undefined, now)).toBeUndefined();
});

test('listQuery sends metadata as metadata[key]=value', () => {
	expect(listQuery({ metadata: { order_id: '7', 'a b': 'c' }, customerId: 'cus_1', paymentIntentId: 'pi_1' })).toEqual({
		'metadata[order_id]': '7',
		'metadata[a b]': 'c',
		customer_id: 'cus_1',
		payment_intent_id: 'pi_1',
	});
	expect(listQuery({})).toEqual({});
});

describe('mapConcurrent', () => {
	test('keeps input order and never runs more than the limit', async () => {
		let running = 0;
		let peak = 0;
		const result = await mapConcurrent([50, 10, 30, 0, 20, 5], 3, async (ms, index) => {
			running++;
			peak = Math.max(peak, running);
			await new Promise((r) => setTimeout(r, ms));
			running--;
			return index * 10;
		});
		expect(result).toEqual([0, 10, 20, 30, 40, 50]);
		expect(peak).toBe(3);
	});

	test('stops handing out work after a failure and rejects with it', async () => {
		const started: number[] = [];
		await expect(
			mapConcurrent([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
				started.push(n);
				await new Promise((r) => setTimeout(r, 5));
				if (n === 1) throw new Error('boom');
				return n;
			}),
		).rejects.toThrow('boom');
		expect(started.length).toBeLessThan(8);
	});

	test('a limit given as a function is asked each time an input could start', async () => {
		let limit = 1;
		let running = 0;
		const peaks: number[] = [];
		const result = await mapConcurrent(Array.from({ length: 12 }, (_, i) => i), () => limit, async (n) => {
			running++;
			peaks.push(running);
			await new Promise((r) => setTimeout(r, 2));
			running--;
			limit = Math.min(4, limit + 1);
			return n;
		});
		expect(result).toEqual(Array.from({ length: 12 }, (_, i) => i));
		expect(peaks[0]).toBe(1);
		expect(Math.max(...peaks)).toBe(4);
	});

	test('new inputs start in batches of an eighth of the limit, and the last ones start however few', async () => {
		// Each call waits until the test finishes it, so the test decides the order of events.
		const finishers: Array<() => void> = [];
		const started: number[] = [];
		const done = mapConcurrent(Array.from({ length: 19 }, (_, i) => i), 16, async (n) => {
			started.push(n);
			await new Promise<void>((resolve) => finishers.push(resolve));
			return n;
		});
		const settle = async () => await new Promise((resolve) => setImmediate(resolve));
		await settle();
		expect(started.length).toBe(16);
		// One slot free: no start yet (a batch is 16 / 8 = 2).
		finishers[0]();
		await settle();
		expect(started.length).toBe(16);
		// Two free: both start at once.
		finishers[1]();
		await settle();
		expect(started.length).toBe(18);
		// One input is left: one free slot is enough for it.
		finishers[2]();
		await settle();
		expect(started.length).toBe(19);
		for (const finish of finishers.slice(3)) finish();
		expect(await done).toEqual(Array.from({ length: 19 }, (_, i) => i));
	});

	test('an empty input resolves at once; a synchronous throw counts as a failure', async () => {
		await expect(mapConcurrent([], 3, async () => 1)).resolves.toEqual([]);
		await expect(
			mapConcurrent([1, 2], 1, (n) => {
				if (n === 1) throw new Error('sync');
				return Promise.resolve(n);
			}),
		).rejects.toThrow('sync');
	});

	test('rejects only once the calls already running have settled (the node names their creates)', async () => {
		const finished: number[] = [];
		const rejection = mapConcurrent([0, 1, 2, 3], 3, async (n) => {
			if (n === 0) throw new Error('first fails at once');
			await new Promise((r) => setTimeout(r, 20));
			finished.push(n);
			return n;
		}).catch((error: Error) => ({ message: error.message, finishedThen: [...finished] }));
		expect(await rejection).toEqual({ message: 'first fails at once', finishedThen: [1, 2] });
	});
});

test('an error of a request acting for another account names that account', () => {
	const node = { id: 'n', name: 'Tilled Trigger', type: 't', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
	const list = listRequest({ path: '/v1/checkout-sessions', action: 'list checkout sessions' });
	const request = { ...list, account: 'acct_connected' };
	expect(tilledError(node, request, { message: 'Forbidden resource', status: 403 }).message).toBe(
		'Tilled could not list checkout sessions of account acct_connected: Forbidden resource [HTTP 403]',
	);
	expect(tilledError(node, list, { message: 'Forbidden resource', status: 403 }).message).toBe(
		'Tilled could not list checkout sessions: Forbidden resource [HTTP 403]',
	);
});

test('the pace is written to static data again only when it says something new', () => {
	// n8n saves static data whole after a run that changed it: every needless write can undo what
	// a run going on at the same time saved (a Trigger's seen events).
	const staticData: IDataObject = {};
	const context = { getWorkflowStaticData: () => staticData } as unknown as IExecuteFunctions;
	const limiter = new AdaptiveLimiter({ ceiling: 10, rate: 50, acceptedAtLimit: 55 });
	const settings = { limiter } as TransportSettings;
	const minute = 60_000;
	rememberPace.call(context, settings, 0);
	expect(staticData.tilledPace).toEqual({ requestsPerSecond: 50, acceptedPerSecond: 55, learntAt: 0 });
	// A later run with the same pace and no 429: nothing written.
	rememberPace.call(context, settings, 5 * minute);
	expect(staticData.tilledPace).toMatchObject({ learntAt: 0 });
	// A pace that moved by more than 5 % is written.
	limiter.rate = 53;
	rememberPace.call(context, settings, 6 * minute);
	expect(staticData.tilledPace).toMatchObject({ requestsPerSecond: 53, learntAt: 6 * minute });
	// So is the same pace once the stored one is over 10 minutes old (it must not be forgotten)…
	rememberPace.call(context, settings, 16 * minute);
	expect(staticData.tilledPace).toMatchObject({ learntAt: 6 * minute });
	rememberPace.call(context, settings, 17 * minute);
	expect(staticData.tilledPace).toMatchObject({ learntAt: 17 * minute });
	// …and what a run that met a 429 learnt.
	limiter.stats.rateLimited = 1;
	rememberPace.call(context, settings, 18 * minute);
	expect(staticData.tilledPace).toMatchObject({ learntAt: 18 * minute });
	// Nothing at all from a run Tilled never limited.
	const unlimited: IDataObject = {};
	rememberPace.call({ getWorkflowStaticData: () => unlimited } as unknown as IExecuteFunctions, { limiter: new AdaptiveLimiter({ ceiling: 10 }) } as TransportSettings, 0);
	expect(unlimited).toEqual({});
});
