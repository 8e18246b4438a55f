import type { TilledResource } from '../types';
import { create } from './create';
import { get } from './get';
import { getMany } from './getMany';
import { update } from './update';

export const customer: TilledResource = {
	name: 'Customer',
	value: 'customer',
	defaultOperation: 'get',
	operations: [create, get, getMany, update],
};
