import type { IExecuteFunctions } from 'n8n-workflow';
import { checkoutSessionLocator } from '../shared/descriptions';
import { readParameter } from '../shared/errors';
import { tilledApiRequest } from '../shared/transport';
import { checkId } from '../shared/validation';
import { showFor, type TilledOperation } from './types';

export function readSessionId(this: IExecuteFunctions, itemIndex: number): string {
	const value = readParameter(this, 'checkoutSessionId', itemIndex, 'Checkout Session', '', { extractValue: true });
	return checkId(value, 'Checkout Session');
}

export const get: TilledOperation<string> = {
	properties: [{ ...checkoutSessionLocator, displayOptions: showFor('get') }],
	prepare: readSessionId,
	async run(id, { settings, itemIndex }) {
		const session = await tilledApiRequest.call(this, settings, {
			method: 'GET',
			path: `/v1/checkout-sessions/${id}`,
			safety: 'idempotent',
			itemIndex,
		});
		return [session];
	},
};
