import type { TilledResource } from '../types';
import { get } from './get';
import { getMany } from './getMany';

export const payout: TilledResource = { name: 'Payout', value: 'payout', defaultOperation: getMany.value, operations: [get, getMany] };
