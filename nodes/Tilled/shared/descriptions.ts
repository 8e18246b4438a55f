import type { INodeProperties } from 'n8n-workflow';

/** Picks a checkout session: searched from a list, or typed as an ID. Used by Get and Expire. */
export const checkoutSessionLocator: INodeProperties = {
	displayName: 'Checkout Session',
	name: 'checkoutSessionId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The checkout session, chosen from a list or given by its ID (cs_…)',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a checkout session…',
			typeOptions: { searchListMethod: 'searchCheckoutSessions', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'cs_…',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^[A-Za-z0-9_-]+$',
						errorMessage: 'A checkout session ID has only letters, digits, "_" and "-"',
					},
				},
			],
		},
	],
};
