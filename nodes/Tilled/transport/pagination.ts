// Listing: Tilled's offset pages, fetched in parallel and merged in Tilled's order.
import type { IDataObject } from 'n8n-workflow';
import { mapConcurrent } from './concurrency';
import { tilledError } from './errors';
import type { TilledContext, TilledRequest } from './request';
import { tilledApiRequest } from './retry';
import type { TransportSettings } from './settings';

/** Query for list: Tilled takes metadata filters as metadata[key]=value. */
export function listQuery(filters: {
	metadata?: Record<string, string>;
	paymentIntentId?: string;
	customerId?: string;
}): IDataObject {
	const qs: IDataObject = {};
	for (const [key, value] of Object.entries(filters.metadata ?? {})) qs[`metadata[${key}]`] = value;
	if (filters.paymentIntentId) qs.payment_intent_id = filters.paymentIntentId;
	if (filters.customerId) qs.customer_id = filters.customerId;
	return qs;
}

export interface ListPage {
	items: IDataObject[];
	has_more: boolean;
	total?: number;
}

/** Which list: its path (e.g. /v1/refunds) and the action its errors name ("list refunds"). */
export interface TilledListTarget {
	path: string;
	action: string;
}

/** The request of one list page, without its query. */
export function listRequest(target: TilledListTarget, extra: { itemIndex?: number; account?: string } = {}): TilledRequest {
	return { method: 'GET', safety: 'idempotent', path: target.path, action: target.action, ...extra };
}

/** A list answer that cannot be right, with what Tilled answered (so the user can tell Tilled). */
export function brokenListError(
	context: TilledContext,
	request: TilledRequest,
	problem: string,
	page: ListPage & { offset: number },
	outcome: string,
) {
	return tilledError(context.getNode(), request, {
		message: `the list ${problem}. Tilled answered the page at offset ${page.offset} with ${page.items.length} items, has_more ${String(page.has_more)}, total ${String(page.total ?? 'not given')}. ${outcome}`,
	});
}

/**
 * Lists any of Tilled's offset lists (checkout sessions, refunds, events…) in Tilled's order,
 * without duplicates (by id). The first page (limit 100) tells the total; the next pages are
 * fetched `pageConcurrency` at a time. Items created meanwhile
 * shift offsets (seen as duplicates, dropped), and a has_more still true at the total is
 * followed. `limit` undefined means all.
 *
 * A list that does not advance (a proxy or mock that ignores offset, repeats pages, or keeps
 * has_more true) ends with an error after a bounded number of requests: when a round of pages
 * adds no item not seen before, when has_more is true past the total, or on an empty page
 * with has_more. A list that ends with fewer items than the first page's total promised is
 * an error too, never a short success.
 */
export async function tilledList(
	this: TilledContext,
	settings: TransportSettings,
	query: IDataObject,
	options: TilledListTarget & { limit?: number; pageConcurrency: number; itemIndex?: number; account?: string },
): Promise<IDataObject[]> {
	const pageSize = 100;
	const wanted = options.limit ?? Number.POSITIVE_INFINITY;
	const request = listRequest(options, { itemIndex: options.itemIndex, account: options.account });
	const items: IDataObject[] = [];
	const seen = new Set<unknown>();
	let requests = 0;
	const fetchPage = async (offset: number, limit: number) => {
		requests++;
		const page = (await tilledApiRequest.call(this, settings, { ...request, qs: { ...query, offset, limit } })) as unknown as ListPage;
		if (!Array.isArray(page.items)) {
			throw tilledError(this.getNode(), request, { message: 'the list response has no items array' });
		}
		return { ...page, offset };
	};
	const take = (page: ListPage) => {
		for (const item of page.items) {
			if (items.length >= wanted) return;
			if (seen.has(item.id)) continue;
			seen.add(item.id);
			items.push(item);
		}
	};
	const broken = (problem: string, last: ListPage & { offset: number }) =>
		brokenListError(this, request, problem, last, `Stopped after ${requests} requests with ${items.length} items; not returning a partial list`);

	const first = await fetchPage(0, Math.min(pageSize, wanted));
	take(first);
	const promised = Math.min(wanted, typeof first.total === 'number' ? first.total : 0);
	let last = first;
	let offset = first.items.length;
	while (last.has_more && items.length < wanted) {
		const total = typeof last.total === 'number' ? last.total : undefined;
		if (last.items.length === 0) throw broken('has an empty page that says has_more', last);
		if (total !== undefined && offset >= total) throw broken(`says has_more at offset ${offset}, past its total of ${total}`, last);
		// Up to the total, `pageConcurrency` pages at once; past it (or without one), one page.
		const end = Math.min(total ?? offset + pageSize, offset + (wanted - items.length));
		const offsets: number[] = [];
		for (let next = offset; next < end && offsets.length < options.pageConcurrency; next += pageSize) offsets.push(next);
		// Return All asks for full pages (items created meanwhile still fit); a Limit asks
		// the last page only for what is missing.
		const pages = await mapConcurrent(offsets, options.pageConcurrency, async (start) =>
			fetchPage(start, options.limit === undefined ? pageSize : Math.min(pageSize, end - start)),
		);
		const before = items.length;
		for (const fetched of pages) take(fetched);
		last = pages[pages.length - 1];
		offset = last.offset + last.items.length;
		if (items.length === before && items.length < wanted) {
			if (last.items.length === 0 && last.has_more) throw broken('has an empty page that says has_more', last);
			throw broken(`does not advance: ${pages.length === 1 ? 'the page at offset ' + last.offset : `pages at offsets ${offsets.join(', ')}`} gave no item not seen before`, last);
		}
	}
	if (items.length < promised) {
		throw broken(`ended short: its first page promised a total of ${first.total} but only ${items.length} distinct items came`, last);
	}
	return items;
}
