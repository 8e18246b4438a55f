import { idLocator } from '../common';

export const PAYMENT_INTENTS = { path: '/v1/payment-intents', action: 'list payment intents', noun: 'payment intent' };

export const paymentIntentLocator = idLocator({
	displayName: 'Payment Intent',
	name: 'paymentIntentId',
	noun: 'payment intent',
	example: 'pi_…',
	searchListMethod: 'searchPaymentIntents',
});
