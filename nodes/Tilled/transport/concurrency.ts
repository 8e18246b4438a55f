/**
 * Runs fn over inputs with at most `limit` running at once; results keep the input order. After a
 * failure no new input is started, and the failure is thrown only once every call already
 * running has settled (the caller can then account for all of them).
 */
export async function mapConcurrent<T, R>(
	inputs: readonly T[],
	limit: number,
	fn: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(inputs.length);
	let next = 0;
	let failed = false;
	const worker = async () => {
		while (!failed && next < inputs.length) {
			const index = next++;
			const running = fn(inputs[index], index);
			// Stop handing out work after a failure; the worker still rejects with it below.
			running.catch(() => (failed = true));
			results[index] = await running;
		}
	};
	const workers = Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker);
	const settled = await Promise.allSettled(workers);
	const rejection = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
	if (rejection) throw rejection.reason;
	return results;
}
