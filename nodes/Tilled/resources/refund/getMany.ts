import { getManyOperation, metadataFilter, metadataQuery } from '../common';
import { REFUNDS } from './locator';

export const getMany = getManyOperation({
	plural: 'refunds',
	target: REFUNDS,
	filters: [metadataFilter('refunds')],
	readFilters: (filters) => metadataQuery(filters),
});
