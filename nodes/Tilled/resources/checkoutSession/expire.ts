import { NodeApiError, type IDataObject, type JsonObject } from 'n8n-workflow';
import { checkoutSessionLocator } from '../../shared/descriptions';
import { errorFacts, tilledApiRequest, tilledError } from '../../transport';
import { fetchSession, readSessionId } from './get';
import type { TilledOperation } from '../types';

export const expire: TilledOperation<string> = {
	name: 'Expire',
	value: 'expire',
	description: 'Expire an open checkout session so it can no longer be paid',
	action: 'Expire a checkout session',
	changesState: true,
	properties: [checkoutSessionLocator],
	prepare: readSessionId,
	async run(id, { settings, itemIndex }) {
		const request = {
			method: 'POST' as const,
			path: `/v1/checkout-sessions/${id}/expire`,
			safety: 'unsafe' as const,
			action: 'expire the checkout session',
			itemIndex,
			// An expire whose answer was lost may have worked: a session found expired is success.
			recover: async (): Promise<IDataObject | undefined> => {
				const session = await fetchSession.call(this, settings, id, itemIndex);
				return session.status === 'expired' ? session : undefined;
			},
		};
		try {
			return [await tilledApiRequest.call(this, settings, request)];
		} catch (error) {
			// Only open sessions can be expired; on a 400, say what the session is instead.
			const session =
				error instanceof NodeApiError && error.httpCode === '400'
					? await fetchSession.call(this, settings, id, itemIndex)
					: undefined;
			if (session === undefined || session.status === 'open') {
				// Hands back the same NodeApiError: the transport made it already.
				throw new NodeApiError(this.getNode(), error as JsonObject);
			}
			throw tilledError(this.getNode(), request, {
				...errorFacts(error),
				message: `checkout session ${id} is ${String(session.status)}, and only open sessions can be expired`,
			});
		}
	},
};
