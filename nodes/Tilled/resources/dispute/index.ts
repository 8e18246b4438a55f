import type { TilledResource } from '../types';
import { get } from './get';
import { getMany } from './getMany';

export const dispute: TilledResource = { name: 'Dispute', value: 'dispute', defaultOperation: getMany.value, operations: [get, getMany] };
