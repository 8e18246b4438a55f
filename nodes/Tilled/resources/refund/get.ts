import { getOperation } from '../common';
import { REFUNDS, refundLocator } from './locator';

export const get = getOperation({ ...REFUNDS, locator: refundLocator });
