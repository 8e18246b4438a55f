import type { TilledResource } from '../types';
import { get } from './get';
import { getMany } from './getMany';

export const balanceTransaction: TilledResource = {
	name: 'Balance Transaction',
	value: 'balanceTransaction',
	defaultOperation: getMany.value,
	operations: [get, getMany],
};
