// Figures and exposures that test files report for `npm run test:faults`'s summary line.
// Active only when TILLED_TEST_REPORT names a file (set by scripts/test-faults.js); each
// record is one JSON line, appended, so every jest worker and test file can add to it.
import fs from 'node:fs';

export type ReportRecord =
	| { type: 'secret'; value: string }
	/** Everything one run could show a user: output items, error texts, logs. */
	| { type: 'exposure'; source: string; text: string }
	| {
			type: 'figures';
			source: string;
			faultsInjected?: number;
			runsCorrect?: number;
			runs?: number;
			sessionsDuplicated?: number;
			itemsLost?: number;
			fuzzCases?: number;
			invalidRequests?: number;
			/** The Tilled Trigger's webhook endpoint (test/faults/webhook.test.ts). */
			webhookDeliveriesFuzzed?: number;
			unsignedRuns?: number;
			webhookCrashes?: number;
			burstPayments?: number;
			burstRuns?: number;
			burstLost?: number;
			burstDuplicated?: number;
	  };

export function report(record: ReportRecord) {
	const file = process.env.TILLED_TEST_REPORT;
	if (file) fs.appendFileSync(file, JSON.stringify(record) + '\n');
}

export const reporting = () => Boolean(process.env.TILLED_TEST_REPORT);

/** All a user could see of an error: message, description, n8n's JSON of it, its response, stack. */
export function errorText(error: unknown): string {
	if (!(error instanceof Error)) return JSON.stringify(error);
	const e = error as Error & Record<string, unknown>;
	const parts = [e.message, String(e.description ?? ''), e.stack ?? ''];
	for (const value of [e.errorResponse, e.context, (e as { toJSON?: () => unknown }).toJSON?.()]) {
		parts.push(safeJson(value));
	}
	const cause = e.cause as Error | undefined;
	if (cause) parts.push(cause.message ?? '', safeJson(cause));
	return parts.join('\n');
}

function safeJson(value: unknown): string {
	const seen = new WeakSet();
	try {
		return JSON.stringify(value, (_key, v) => {
			if (typeof v === 'object' && v !== null) {
				if (seen.has(v)) return '[circular]';
				seen.add(v);
			}
			return v;
		}) ?? '';
	} catch {
		return String(value);
	}
}
