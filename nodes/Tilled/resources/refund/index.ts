import type { TilledResource } from '../types';
import { create } from './create';
import { get } from './get';
import { getMany } from './getMany';

export const refund: TilledResource = {
	name: 'Refund',
	value: 'refund',
	defaultOperation: 'create',
	operations: [create, get, getMany],
};
