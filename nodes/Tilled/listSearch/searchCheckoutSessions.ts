import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { formatMinorUnits } from '../shared/amounts';
import { CHECKOUT_SESSIONS } from '../resources/checkoutSession/getMany';
import { brokenListError, listRequest, tilledApiRequest, transportSettings, type ListPage } from '../transport';

const LIST_REQUEST = listRequest(CHECKOUT_SESSIONS);

const PAGE_SIZE = 100;

/**
 * "From List" of the Checkout Session locator: newest first, 100 at a time. Tilled has no text
 * search, so the filter matches the ID, status, amount or customer email of each loaded page.
 * The pagination token is the next offset and the last ID seen, so a list that does not advance
 * (same page again, has_more past the total, an empty page with has_more) ends with an error
 * instead of loading the same sessions for ever.
 */
export async function searchCheckoutSessions(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const [offsetText, previousLastId] = (paginationToken ?? '0').split(':');
	const offset = Number(offsetText) || 0;
	const settings = await transportSettings.call(this, { maxRetries: 1 });
	const page = (await tilledApiRequest.call(this, settings, {
		...LIST_REQUEST,
		qs: { offset, limit: PAGE_SIZE },
	})) as unknown as ListPage;
	const sessions = Array.isArray(page.items) ? page.items : [];
	const lastId = sessions.length > 0 ? String(sessions[sessions.length - 1].id) : undefined;
	const next = offset + sessions.length;
	if (page.has_more) {
		const answer = { ...page, items: sessions, offset };
		const broken = (problem: string) => brokenListError(this, LIST_REQUEST, problem, answer, 'No further pages are loaded.');
		if (sessions.length === 0) throw broken('has an empty page that says has_more');
		if (lastId === previousLastId) throw broken('does not advance: this page ends with the same session as the page before');
		if (typeof page.total === 'number' && next >= page.total) throw broken(`says has_more at offset ${next}, past its total of ${page.total}`);
	}
	const needle = filter?.trim().toLowerCase();
	const results = sessions
		.map((session: IDataObject) => {
			const amount = formatMinorUnits(Number(session.amount_total), String(session.currency));
			const email = (session.customer_details as IDataObject | undefined)?.email;
			return {
				name: `${String(session.id)} · ${amount} · ${String(session.status)}${email ? ` · ${String(email)}` : ''}`,
				value: String(session.id),
				url: typeof session.url === 'string' ? session.url : undefined,
			};
		})
		.filter((result) => !needle || result.name.toLowerCase().includes(needle));
	return { results, paginationToken: page.has_more ? `${next}:${lastId}` : undefined };
}
