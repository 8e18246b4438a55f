import { checkText } from '../../shared/validation';
import { getManyOperation, metadataFilter, metadataQuery } from '../common';
import { CUSTOMERS } from './fields';

export const getMany = getManyOperation({
	plural: 'customers',
	target: CUSTOMERS,
	filters: [
		metadataFilter('customers'),
		{
			displayName: 'Search',
			name: 'q',
			type: 'string',
			default: '',
			description: 'Text Tilled searches the customers for (its q parameter)',
		},
	],
	readFilters(filters) {
		const q = checkText(filters.q, 'Filters › Search', { required: false, maxLength: 255 });
		return { ...metadataQuery(filters), ...(q ? { q } : {}) };
	},
});
