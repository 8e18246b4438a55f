// Listing: Tilled's offset pages, fetched in parallel and merged in Tilled's order.
import type { IDataObject } from 'n8n-workflow';
import { mapConcurrent } from './concurrency';
import { tilledError } from './errors';
import { tilledApiRequest, type TilledContext, type TransportSettings } from './request';

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

/**
 * Lists sessions in Tilled's order, without duplicates. The first page (limit 100) tells the
 * total; the other pages are fetched `pageConcurrency` at a time. Sessions created meanwhile
 * shift offsets (seen as duplicates, dropped), and a has_more still true at the end is
 * followed page by page. `limit` undefined means all.
 */
export async function tilledListSessions(
	this: TilledContext,
	settings: TransportSettings,
	query: IDataObject,
	options: { limit?: number; pageConcurrency: number; itemIndex?: number; path?: string },
): Promise<IDataObject[]> {
	// Any of Tilled's offset lists pages the same way (events: path /v1/events).
	const path = options.path ?? '/v1/checkout-sessions';
	const pageSize = 100;
	const wanted = options.limit ?? Number.POSITIVE_INFINITY;
	const sessions: IDataObject[] = [];
	const seen = new Set<unknown>();
	const fetchPage = async (offset: number, limit: number) => {
		const page = (await tilledApiRequest.call(this, settings, {
			method: 'GET',
			path,
			qs: { ...query, offset, limit },
			safety: 'idempotent',
			itemIndex: options.itemIndex,
		})) as unknown as ListPage;
		if (!Array.isArray(page.items)) {
			throw tilledError(this.getNode(), { method: 'GET', path, safety: 'idempotent', itemIndex: options.itemIndex }, {
				message: 'the list response has no items array',
			});
		}
		return page;
	};
	const take = (page: ListPage) => {
		for (const session of page.items) {
			if (sessions.length >= wanted) return;
			if (seen.has(session.id)) continue;
			seen.add(session.id);
			sessions.push(session);
		}
	};

	let offset = 0;
	let page = await fetchPage(0, Math.min(pageSize, wanted));
	take(page);
	offset = page.items.length;
	if (page.has_more && typeof page.total === 'number' && page.total > offset && sessions.length < wanted) {
		const end = Math.min(page.total, offset + (wanted - sessions.length));
		const offsets: number[] = [];
		for (let next = offset; next < end; next += pageSize) offsets.push(next);
		// Return All asks for full pages (sessions created meanwhile still fit); a Limit asks
		// the last page only for what is missing.
		const pages = await mapConcurrent(offsets, options.pageConcurrency, async (start) =>
			fetchPage(start, options.limit === undefined ? pageSize : Math.min(pageSize, end - start)),
		);
		for (const fetched of pages) take(fetched);
		const last = pages[pages.length - 1];
		offset = offsets[offsets.length - 1] + last.items.length;
		page = last;
	}
	while (page.has_more && page.items.length > 0 && sessions.length < wanted) {
		page = await fetchPage(offset, Math.min(pageSize, wanted - sessions.length));
		take(page);
		offset += page.items.length;
	}
	return sessions;
}

