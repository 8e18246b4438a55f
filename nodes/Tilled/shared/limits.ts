// Tilled's limits for checkout sessions (API v1), checked before any request is sent.

/** Currencies Tilled accepts, with the number of decimals of their minor unit. */
export const CURRENCY_DECIMALS: Readonly<Record<string, number>> = {
	aud: 2,
	cad: 2,
	chf: 2,
	dkk: 2,
	eur: 2,
	gbp: 2,
	hkd: 2,
	jpy: 0,
	nok: 2,
	nzd: 2,
	sek: 2,
	usd: 2,
	zar: 2,
};

// Tilled's published spec for checkout sessions. Its generated SDK also lists card_present,
// but a hosted checkout page cannot take an in-person card payment: left out on purpose.
export const PAYMENT_METHOD_TYPES = ['card', 'ach_debit', 'eft_debit'] as const;

export const LIMITS = {
	lineItems: 100,
	minQuantity: 0.0001,
	quantityDecimals: 4,
	minUnitAmount: 1,
	maxUnitAmount: 99_999_999,
	descriptionLength: 500,
	images: 8,
	metadataKeys: 50,
	metadataKeyLength: 40,
	metadataValueLength: 500,
	pageSize: 100,
} as const;
