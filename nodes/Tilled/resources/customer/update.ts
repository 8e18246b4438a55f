import type { IDataObject } from 'n8n-workflow';
import { InvalidParameter, readParameter } from '../../shared/errors';
import { tilledApiRequest } from '../../transport';
import { readId } from '../common';
import type { TilledOperation } from '../types';
import { CUSTOMERS, customerBody, customerFields, customerLocator } from './fields';

export const update: TilledOperation<{ id: string; body: IDataObject }> = {
	name: 'Update',
	value: 'update',
	description: "Update a customer's fields; metadata given is merged into the customer's",
	action: 'Update a customer',
	changesState: true,
	properties: [customerLocator, customerFields('Update Fields', 'updateFields')],
	prepare(itemIndex) {
		const id = readId.call(this, itemIndex, customerLocator);
		const fields = readParameter(this, 'updateFields', itemIndex, 'Update Fields', {}) as IDataObject;
		const body = customerBody(fields, 'Update Fields');
		if (Object.keys(body).length === 0) throw new InvalidParameter('Update Fields', 'is empty: add at least one field to change');
		return { id, body };
	},
	async run({ id, body }, { settings, itemIndex }) {
		// Setting the same fields twice does no harm: retried like a read.
		return [
			await tilledApiRequest.call(this, settings, {
				method: 'PATCH',
				path: `${CUSTOMERS.path}/${id}`,
				body,
				safety: 'idempotent',
				action: 'update the customer',
				itemIndex,
			}),
		];
	},
};
