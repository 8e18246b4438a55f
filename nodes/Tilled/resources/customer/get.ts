import { getOperation } from '../common';
import { CUSTOMERS, customerLocator } from './fields';

export const get = getOperation({ ...CUSTOMERS, locator: customerLocator });
