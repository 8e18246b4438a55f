import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { formatMinorUnits } from '../shared/amounts';
import { brokenListError, listRequest, tilledApiRequest, transportSettings, type ListPage, type TilledListTarget } from '../transport';

const PAGE_SIZE = 100;

/**
 * A "From List" search over one of Tilled's lists, newest first, 100 at a time. Tilled has no
 * text search on most lists, so the filter matches the names built by `describe` on each loaded
 * page. The pagination token is the next offset and the last ID seen: a list that does not
 * advance ends with an error instead of loading the same page for ever.
 */
export function searchList(target: TilledListTarget, describe: (item: IDataObject) => string) {
	const request = listRequest(target);
	return async function (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
		const [offsetText, previousLastId] = (paginationToken ?? '0').split(':');
		const offset = Number(offsetText) || 0;
		const settings = await transportSettings.call(this, { maxRetries: 1 });
		const page = (await tilledApiRequest.call(this, settings, { ...request, qs: { offset, limit: PAGE_SIZE } })) as unknown as ListPage;
		const items = Array.isArray(page.items) ? page.items : [];
		const lastId = items.length > 0 ? String(items[items.length - 1].id) : undefined;
		const next = offset + items.length;
		if (page.has_more) {
			const broken = (problem: string) => brokenListError(this, request, problem, { ...page, items, offset }, 'No further pages are loaded.');
			if (items.length === 0) throw broken('has an empty page that says has_more');
			if (lastId === previousLastId) throw broken('does not advance: this page ends with the same item as the page before');
			if (typeof page.total === 'number' && next >= page.total) throw broken(`says has_more at offset ${next}, past its total of ${page.total}`);
		}
		const needle = filter?.trim().toLowerCase();
		const results = items
			.map((item) => ({ name: describe(item), value: String(item.id) }))
			.filter((result) => !needle || result.name.toLowerCase().includes(needle));
		return { results, paginationToken: page.has_more ? `${next}:${lastId}` : undefined };
	};
}

/** "pi_123 · 19.99 USD · succeeded" */
export const describeAmount = (amountField: string) => (item: IDataObject) =>
	`${String(item.id)} · ${formatMinorUnits(Number(item[amountField]), String(item.currency ?? 'usd'))} · ${String(item.status)}`;
