import type { IExecuteFunctions } from 'n8n-workflow';
import { checkoutSessionLocator } from '../../shared/descriptions';
import { readParameter, requireExpressionValue } from '../../shared/errors';
import { tilledApiRequest, type TransportSettings } from '../../transport';
import { checkId } from '../../shared/validation';
import type { TilledOperation } from '../types';

export function readSessionId(this: IExecuteFunctions, itemIndex: number): string {
	const value = readParameter(this, 'checkoutSessionId', itemIndex, 'Checkout Session', '', { extractValue: true });
	requireExpressionValue(this, 'checkoutSessionId', itemIndex, 'Checkout Session', value);
	return checkId(value, 'Checkout Session');
}

/** GET /v1/checkout-sessions/{id}; Expire uses it too, to learn a session's status. */
export async function fetchSession(
	this: IExecuteFunctions,
	settings: TransportSettings,
	id: string,
	itemIndex: number,
) {
	return await tilledApiRequest.call(this, settings, {
		method: 'GET',
		path: `/v1/checkout-sessions/${id}`,
		safety: 'idempotent',
		action: 'get the checkout session',
		itemIndex,
	});
}

export const get: TilledOperation<string> = {
	name: 'Get',
	value: 'get',
	description: 'Get a checkout session by ID',
	action: 'Get a checkout session',
	properties: [checkoutSessionLocator],
	prepare: readSessionId,
	async run(id, { settings, itemIndex }) {
		return [await fetchSession.call(this, settings, id, itemIndex)];
	},
};
