import type { TilledResource } from '../types';
import { cancel } from './cancel';
import { capture } from './capture';
import { get } from './get';
import { getMany } from './getMany';

export const paymentIntent: TilledResource = {
	name: 'Payment Intent',
	value: 'paymentIntent',
	defaultOperation: 'get',
	operations: [cancel, capture, get, getMany],
};
