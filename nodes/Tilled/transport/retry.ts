// One request to Tilled with its retries: retries that never repeat a payment action blindly.
import { sleep, type IDataObject, type NodeApiError } from 'n8n-workflow';
import { errorFacts, retriesExhausted, tilledError } from './errors';
import type { LimitSignal } from './limiter';
import type { TilledContext, TilledRequest } from './request';
import { sendOnce, type Outcome } from './send';
import type { TransportSettings } from './settings';

const MAX_BACKOFF_MS = 30_000;
// A Retry-After longer than this is not waited for: the node fails with Tilled's answer instead.
const MAX_RETRY_AFTER_MS = 120_000;

export async function tilledApiRequest(
	this: TilledContext,
	settings: TransportSettings,
	request: TilledRequest,
): Promise<IDataObject> {
	if (request.account === undefined && settings.account !== undefined) request = { ...request, account: settings.account };
	let lastAmbiguous: NodeApiError | undefined;
	for (let attempt = 0; ; attempt++) {
		if (lastAmbiguous && request.recover) {
			const result = await recoverAfter.call(this, request, lastAmbiguous);
			if (result !== undefined) return result;
		}
		const permit = await settings.limiter.acquire();
		const sentAt = Date.now();
		const outcome = await sendOnce.call(this, settings, request);
		permit.release(limitSignal(outcome), Date.now() - sentAt);
		if (outcome.kind === 'success') return outcome.body;
		if (outcome.kind === 'final') throw outcome.error;

		const mayRetry =
			outcome.kind === 'refused' || request.safety === 'idempotent' || request.recover !== undefined;
		if (!mayRetry) throw outcome.error;
		if (attempt >= settings.maxRetries) {
			if (outcome.kind === 'ambiguous' && request.recover) {
				const result = await recoverAfter.call(this, request, outcome.error);
				if (result !== undefined) return result;
			}
			throw retriesExhausted(this.getNode(), outcome.error, attempt + 1, request, outcome.kind === 'ambiguous');
		}
		if (outcome.kind === 'ambiguous') lastAmbiguous = outcome.error;

		const retryAfter = outcome.kind === 'refused' ? outcome.waitMs : undefined;
		if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_MS) {
			const facts = errorFacts(outcome.error);
			throw tilledError(this.getNode(), request, {
				...facts,
				message: `${facts.detail} (Tilled asks to wait ${Math.ceil(retryAfter / 1000)} s, longer than the node waits)`,
			});
		}
		const delay = retryAfter ?? backoffMs(settings.retryDelayMs, attempt);
		if (outcome.kind === 'refused' && outcome.rateLimited) {
			// Every request of this execution waits, so a burst of parallel items slows down together.
			settings.limiter.pause(Date.now() + delay);
		} else {
			await sleep(delay);
		}
	}
}

/** Asks `recover`; if even that fails, says both what happened and how to find the result. */
async function recoverAfter(this: TilledContext, request: TilledRequest, failure: NodeApiError) {
	const outcome = await request.recover!().then(
		(result) => ({ result }),
		(error: Error) => ({ error }),
	);
	if ('result' in outcome) return outcome.result;
	const facts = errorFacts(failure);
	const check = outcome.error.message.replace(/^Tilled could not /, '');
	throw tilledError(this.getNode(), request, {
		...facts,
		message: `${facts.detail}, and checking whether it took effect failed too (could not ${check})${request.ambiguityNote ? `. ${request.ambiguityNote}` : ''}`,
	});
}

/** What an attempt tells the limiter about Tilled's load. */
function limitSignal(outcome: Outcome): LimitSignal {
	if (outcome.kind === 'success') return 'ok';
	if (outcome.kind === 'refused' && outcome.rateLimited) return outcome.waitMs ? 'rateLimited' : 'refused';
	if (outcome.kind === 'refused') return 'overloaded';
	if (outcome.kind === 'ambiguous') return 'overloaded';
	// A 4xx answers quickly and says nothing about load; a 500 is one request's failure.
	return outcome.error.httpCode && outcome.error.httpCode.startsWith('4') ? 'ok' : 'neutral';
}

/** Exponential backoff with jitter, so items that failed together do not retry together. */
export function backoffMs(baseMs: number, attempt: number, random = Math.random()): number {
	const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (random * ceiling) / 2);
}
