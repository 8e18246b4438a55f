/** Inputs start in batches of an eighth of the limit (at least one). */
const START_BATCH = 8;

/**
 * Runs fn over inputs with at most `limit` running at once; results keep the input order. The
 * limit may be a function (the adaptive limiter's current limit), asked each time inputs could
 * start. Inputs start in batches, once an eighth of the limit is free. After a failure no new
 * input is started, and the failure is thrown only once every call already running has settled
 * (the caller can then account for all of them).
 */
export async function mapConcurrent<T, R>(
	inputs: readonly T[],
	limit: number | (() => number),
	fn: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
	const allowed = typeof limit === 'function' ? limit : () => limit;
	const results = new Array<R>(inputs.length);
	return await new Promise<R[]>((resolve, reject) => {
		let next = 0;
		let running = 0;
		let failure: { error: unknown } | undefined;
		const startMore = () => {
			const room = allowed();
			// New inputs start in batches of an eighth of the limit, not one per finished call:
			// n8n sends requests, and handles their answers, back to back for much less CPU than
			// interleaved one by one.
			const batch = Math.min(Math.max(1, Math.floor(room / START_BATCH)), inputs.length - next);
			const starting = running === 0 || room - running >= batch;
			while (starting && !failure && next < inputs.length && (running === 0 || running < room)) {
				const index = next++;
				running++;
				let call: Promise<R>;
				try {
					call = fn(inputs[index], index);
				} catch (error) {
					call = Promise.reject(error);
				}
				call
					.then(
						(value) => void (results[index] = value),
						(error: unknown) => void (failure ??= { error }),
					)
					.finally(() => {
						running--;
						startMore();
					});
			}
			if (running > 0) return;
			if (failure) reject(failure.error);
			else if (next >= inputs.length) resolve(results);
		};
		startMore();
	});
}
