import type { IDataObject } from 'n8n-workflow';
import { readParameter } from '../../shared/errors';
import type { Metadata } from '../../shared/metadata';
import { tilledApiRequest } from '../../transport';
import { CREATE_MARKER_FIELD } from '../checkoutSession/create';
import { attemptMarker, findByMetadata } from '../common';
import type { TilledOperation } from '../types';
import { CUSTOMERS, customerBody, customerFields } from './fields';

export const create: TilledOperation<IDataObject> = {
	name: 'Create',
	value: 'create',
	description: 'Create a customer',
	action: 'Create a customer',
	changesState: true,
	creates: 'Customers',
	properties: [customerFields('Additional Fields', 'additionalFields')],
	prepare(itemIndex) {
		const fields = readParameter(this, 'additionalFields', itemIndex, 'Additional Fields', {}) as IDataObject;
		return customerBody(fields, 'Additional Fields', 1);
	},
	async run(prepared, { settings, itemIndex }) {
		// As for sessions and refunds: a marker, so a create whose answer was lost is found, not repeated.
		const marker = attemptMarker.call(this, itemIndex);
		const body = { ...prepared, metadata: { ...(prepared.metadata as Metadata | undefined), [CREATE_MARKER_FIELD]: marker } };
		return [
			await tilledApiRequest.call(this, settings, {
				method: 'POST',
				path: CUSTOMERS.path,
				body,
				safety: 'unsafe',
				action: 'create the customer',
				recover: async () => await findByMetadata.call(this, settings, CUSTOMERS, { [CREATE_MARKER_FIELD]: marker }, itemIndex),
				ambiguityNote: `Tilled never confirmed the customer and none was found; if one shows up later, it has metadata ${CREATE_MARKER_FIELD}=${marker}`,
				itemIndex,
			}),
		];
	},
};
