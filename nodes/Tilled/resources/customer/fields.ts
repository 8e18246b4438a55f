// The fields of a customer, shared by Create and Update (Tilled's CustomerCreateParams and
// CustomerUpdateParams have the same ones).
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { idLocator } from '../common';
import { InvalidParameter } from '../../shared/errors';
import { metadataFromPairs, metadataProperty } from '../../shared/metadata';
import { checkText } from '../../shared/validation';

export const CUSTOMERS = { path: '/v1/customers', action: 'list customers', noun: 'customer' };

export const customerLocator = idLocator({
	displayName: 'Customer',
	name: 'customerId',
	noun: 'customer',
	example: 'cus_…',
	searchListMethod: 'searchCustomers',
});

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const TEXT_FIELDS: Array<{ displayName: string; name: string; tilled: string; placeholder?: string }> = [
	{ displayName: 'Email', name: 'email', tilled: 'email', placeholder: 'name@email.com' },
	{ displayName: 'First Name', name: 'firstName', tilled: 'first_name' },
	{ displayName: 'Last Name', name: 'lastName', tilled: 'last_name' },
	{ displayName: 'Middle Name', name: 'middleName', tilled: 'middle_name' },
	{ displayName: 'Phone', name: 'phone', tilled: 'phone' },
];

/** The fields as one collection (Additional Fields for Create, Update Fields for Update). */
export function customerFields(displayName: string, name: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			...TEXT_FIELDS.map(({ displayName: label, name: field, placeholder }) => ({
				displayName: label,
				name: field,
				type: 'string' as const,
				default: '',
				...(placeholder ? { placeholder } : {}),
				description: `The customer's ${label.toLowerCase()}`,
			})),
			metadataProperty({ displayName: 'Metadata', name: 'metadata', description: 'Key/value pairs kept with the customer, such as your own customer ID' }),
		].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** Tilled's body from the collection's values; `reservedKeys` are metadata keys the node adds. */
export function customerBody(fields: IDataObject, collection: string, reservedKeys = 0): IDataObject {
	const body: IDataObject = {};
	for (const { displayName, name, tilled } of TEXT_FIELDS) {
		const text = checkText(fields[name], `${collection} › ${displayName}`, { required: false, maxLength: 255 });
		if (text === undefined) continue;
		if (name === 'email' && !EMAIL_PATTERN.test(text.trim())) {
			throw new InvalidParameter(`${collection} › Email`, `"${text}" is not an email address`);
		}
		body[tilled] = text.trim();
	}
	const metadata = metadataFromPairs(fields.metadata, `${collection} › Metadata`, reservedKeys);
	if (metadata) body.metadata = metadata;
	return body;
}
