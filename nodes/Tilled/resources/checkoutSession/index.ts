import type { TilledResource } from '../types';
import { create } from './create';
import { expire } from './expire';
import { get } from './get';
import { getMany } from './getMany';

export const checkoutSession: TilledResource = {
	name: 'Checkout Session',
	value: 'checkoutSession',
	defaultOperation: 'create',
	operations: [create, expire, get, getMany],
};
