import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { formatMinorUnits } from '../shared/amounts';
import { tilledApiRequest, transportSettings } from '../transport';

const PAGE_SIZE = 100;

/**
 * "From List" of the Checkout Session locator: newest first, 100 at a time. Tilled has no text
 * search, so the filter matches the ID, status, amount or customer email of each loaded page.
 */
export async function searchCheckoutSessions(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const offset = paginationToken ? Number(paginationToken) : 0;
	const settings = await transportSettings.call(this, { maxRetries: 1 });
	const page = await tilledApiRequest.call(this, settings, {
		method: 'GET',
		path: '/v1/checkout-sessions',
		qs: { offset, limit: PAGE_SIZE },
		safety: 'idempotent',
	});
	const sessions = (page.items as IDataObject[] | undefined) ?? [];
	const needle = filter?.trim().toLowerCase();
	const results = sessions
		.map((session) => {
			const amount = formatMinorUnits(Number(session.amount_total), String(session.currency));
			const email = (session.customer_details as IDataObject | undefined)?.email;
			return {
				name: `${String(session.id)} · ${amount} · ${String(session.status)}${email ? ` · ${String(email)}` : ''}`,
				value: String(session.id),
				url: typeof session.url === 'string' ? session.url : undefined,
			};
		})
		.filter((result) => !needle || result.name.toLowerCase().includes(needle));
	return {
		results,
		paginationToken: page.has_more ? String(offset + sessions.length) : undefined,
	};
}
