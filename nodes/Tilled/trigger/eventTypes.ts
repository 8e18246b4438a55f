// Tilled's 46 webhook event types, each with the name and description the editor shows (the raw
// id in the description). The same list as test/fake-tilled/event-types.json (a unit test checks it).

export interface EventType {
	/** Tilled's id, e.g. payment_intent.succeeded */
	value: string;
	name: string;
	description: string;
}

export const EVENT_TYPES: readonly EventType[] = [
	{ value: 'account.updated', name: 'Account Updated', description: "An account's status, details or capabilities changed (account.updated)" },
	{ value: 'charge.captured', name: 'Charge Captured', description: 'A charge that was only authorized was captured (charge.captured)' },
	{ value: 'charge.expired', name: 'Charge Expired', description: 'An authorized charge was never captured and expired (charge.expired)' },
	{ value: 'charge.failed', name: 'Charge Failed', description: 'A charge attempt failed (charge.failed)' },
	{ value: 'charge.pending', name: 'Charge Pending', description: 'A charge was created and is pending (e.g. a bank debit) (charge.pending)' },
	{ value: 'charge.refund.pending', name: 'Refund Pending', description: 'A refund was created and is pending (charge.refund.pending)' },
	{ value: 'charge.refund.updated', name: 'Refund Updated', description: 'A refund changed, e.g. it succeeded or failed (charge.refund.updated)' },
	{ value: 'charge.refunded', name: 'Charge Refunded', description: 'A charge was refunded, in full or in part (charge.refunded)' },
	{ value: 'charge.succeeded', name: 'Charge Succeeded', description: 'A charge was created and succeeded (charge.succeeded)' },
	{ value: 'charge.updated', name: 'Charge Updated', description: "A charge's details changed (charge.updated)" },
	{ value: 'customer.created', name: 'Customer Created', description: 'A customer was created (customer.created)' },
	{ value: 'customer.deleted', name: 'Customer Deleted', description: 'A customer was deleted (customer.deleted)' },
	{ value: 'customer.updated', name: 'Customer Updated', description: "A customer's details changed (customer.updated)" },
	{ value: 'dispute.created', name: 'Dispute Created', description: 'A customer disputed a charge (a chargeback) (dispute.created)' },
	{ value: 'dispute.updated', name: 'Dispute Updated', description: 'A dispute changed, e.g. it was won or lost (dispute.updated)' },
	{ value: 'esignature_document.completed', name: 'E-Signature Document Completed', description: 'Every signer signed an e-signature document (esignature_document.completed)' },
	{ value: 'esignature_document.sent', name: 'E-Signature Document Sent', description: 'An e-signature document was sent to its signers (esignature_document.sent)' },
	{ value: 'esignature_signer.completed', name: 'E-Signature Signer Completed', description: 'A signer signed an e-signature document (esignature_signer.completed)' },
	{ value: 'esignature_signer.sent', name: 'E-Signature Signer Sent', description: 'An e-signature document was sent to a signer (esignature_signer.sent)' },
	{ value: 'esignature_signer.viewed', name: 'E-Signature Signer Viewed', description: 'A signer opened an e-signature document (esignature_signer.viewed)' },
	{ value: 'independent_credit.succeeded', name: 'Independent Credit Succeeded', description: 'A credit not tied to a charge was paid out (independent_credit.succeeded)' },
	{ value: 'outbound_transfer.canceled', name: 'Outbound Transfer Canceled', description: 'An outbound transfer was canceled (outbound_transfer.canceled)' },
	{ value: 'outbound_transfer.failed', name: 'Outbound Transfer Failed', description: 'An outbound transfer failed (outbound_transfer.failed)' },
	{ value: 'outbound_transfer.pending', name: 'Outbound Transfer Pending', description: 'An outbound transfer was created and is pending (outbound_transfer.pending)' },
	{ value: 'outbound_transfer.succeeded', name: 'Outbound Transfer Succeeded', description: 'An outbound transfer succeeded (outbound_transfer.succeeded)' },
	{ value: 'payment_intent.amount_capturable_updated', name: 'Payment Authorized (Capturable)', description: "A payment intent's amount can now be captured (manual capture) (payment_intent.amount_capturable_updated)" },
	{ value: 'payment_intent.canceled', name: 'Payment Canceled', description: 'A payment intent was canceled (payment_intent.canceled)' },
	{ value: 'payment_intent.created', name: 'Payment Created', description: 'A payment intent was created (payment_intent.created)' },
	{ value: 'payment_intent.payment_failed', name: 'Payment Failed', description: 'A payment attempt failed (e.g. a card was declined) (payment_intent.payment_failed)' },
	{ value: 'payment_intent.processing', name: 'Payment Processing', description: 'A payment started processing (e.g. a bank debit) (payment_intent.processing)' },
	{ value: 'payment_intent.requires_action', name: 'Payment Requires Action', description: 'A payment needs the customer to act (e.g. 3-D Secure) (payment_intent.requires_action)' },
	{ value: 'payment_intent.succeeded', name: 'Checkout Session Paid', description: 'A payment succeeded: the checkout session behind it is paid (payment_intent.succeeded)' },
	{ value: 'payment_method.attached', name: 'Payment Method Attached', description: 'A payment method was attached to a customer (payment_method.attached)' },
	{ value: 'payment_method.detached', name: 'Payment Method Detached', description: 'A payment method was detached from a customer (payment_method.detached)' },
	{ value: 'payment_method.updated', name: 'Payment Method Updated', description: "A payment method's details changed (payment_method.updated)" },
	{ value: 'payout.created', name: 'Payout Created', description: 'A payout to the bank account was created (payout.created)' },
	{ value: 'payout.failed', name: 'Payout Failed', description: 'A payout to the bank account failed (payout.failed)' },
	{ value: 'payout.paid', name: 'Payout Paid', description: 'A payout reached the bank account (payout.paid)' },
	{ value: 'payout.updated', name: 'Payout Updated', description: 'A payout changed (payout.updated)' },
	{ value: 'platform_fee.created', name: 'Platform Fee Created', description: 'A platform fee was taken from a payment (platform_fee.created)' },
	{ value: 'platform_fee.refunded', name: 'Platform Fee Refunded', description: 'A platform fee was refunded (platform_fee.refunded)' },
	{ value: 'report_run.failed', name: 'Report Run Failed', description: 'A report could not be generated (report_run.failed)' },
	{ value: 'report_run.succeeded', name: 'Report Run Succeeded', description: 'A report is ready to download (report_run.succeeded)' },
	{ value: 'subscription.canceled', name: 'Subscription Canceled', description: 'A subscription was canceled (subscription.canceled)' },
	{ value: 'subscription.created', name: 'Subscription Created', description: 'A subscription was created (subscription.created)' },
	{ value: 'subscription.updated', name: 'Subscription Updated', description: 'A subscription changed (subscription.updated)' },
];
