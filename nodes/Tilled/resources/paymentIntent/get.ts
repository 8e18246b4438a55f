import { getOperation } from '../common';
import { PAYMENT_INTENTS, paymentIntentLocator } from './locator';

export const get = getOperation({ ...PAYMENT_INTENTS, locator: paymentIntentLocator });
