'use strict';

/**
 * Money of the fake Tilled server: payment intents and their charges, refunds, customers,
 * balance transactions, payouts and disputes, as stateful records with the spec's statuses.
 * HTTP routes are in resources.js; this module knows no HTTP. A refusal Tilled would answer with
 * an error is thrown as a `Refusal` (status + message) for the route to send.
 *
 * Where Tilled's behaviour is unknown the choices are listed in README.md ("Payments").
 */

const crypto = require('node:crypto');
const { Collection, nextTime } = require('./collection');

/** An answer Tilled gives instead of doing what was asked (400 with a message, 404…). */
class Refusal extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const CANCELLABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** The fake's processing fee on a captured amount: 2.9% + 30 (minor units). @param {number} amount */
function processingFee(amount) {
  return Math.round(amount * 0.029) + 30;
}

/** @param {string} iso @param {number} days */
function addDays(iso, days) {
  return new Date(Date.parse(iso) + days * DAY_MS).toISOString();
}

/** Copies the optional fields that are set. @param {Record<string, any>} target @param {Record<string, any>} source @param {string[]} names */
function copyDefined(target, source, names) {
  for (const name of names) if (source[name] !== undefined) target[name] = structuredClone(source[name]);
  return target;
}

/**
 * @param {{ accountId: string, emit: (type: string, accountId: string, data: any) => void }} deps
 *   emit records (and delivers) an event where Tilled would send one.
 */
function createPayments(deps) {
  const { emit } = deps;
  const intents = new Collection('pi_');
  const charges = new Collection('ch_');
  const refunds = new Collection('rf_');
  const customers = new Collection('cus_');
  const balance = new Collection('txn_');
  const payouts = new Collection('po_');
  const disputes = new Collection('dp_');

  // ---- views: what Tilled sends, built from the records ------------------------------------

  /** @param {any} c */
  function customerView(c) {
    return copyDefined({ id: c.id, account_id: c.account_id, created_at: c.created_at, updated_at: c.updated_at, metadata: { ...c.metadata } }, c, [
      'email',
      'first_name',
      'middle_name',
      'last_name',
      'phone',
    ]);
  }

  /** @param {any} t */
  function balanceView(t) {
    return copyDefined(
      {
        id: t.id,
        account_id: t.account_id,
        amount: t.amount,
        // Fees are balance transactions of their own (type fee): net equals amount, as the spec notes.
        fee: 0,
        fee_details: [],
        net: t.amount,
        available_on: t.available_on,
        created_at: t.created_at,
        updated_at: t.updated_at,
        currency: t.currency,
        source_id: t.source_id,
        source_type: t.source_type,
        status: t.status,
        type: t.type,
      },
      t,
      ['payout_id', 'fee_type'],
    );
  }

  /** @param {any} r */
  function refundView(r) {
    return copyDefined(
      {
        id: r.id,
        amount: r.amount,
        balance_transaction: balanceView(balance.byId.get(r.balance_transaction_id)),
        charge_id: r.charge_id,
        payment_intent_id: r.payment_intent_id,
        payment_method_id: r.payment_method_id,
        status: r.status,
        metadata: { ...r.metadata },
        created_at: r.created_at,
        updated_at: r.updated_at,
      },
      r,
      ['reason'],
    );
  }

  /** Succeeded and pending refunds count against what is left to refund. @param {any} charge */
  function amountRefunded(charge) {
    let sum = 0;
    for (const id of charge.refund_ids) {
      const refund = refunds.byId.get(id);
      if (refund.status === 'succeeded' || refund.status === 'pending') sum += refund.amount;
    }
    return sum;
  }

  /** @param {any} c */
  function chargeView(c) {
    const refunded = amountRefunded(c);
    return copyDefined(
      {
        id: c.id,
        amount_captured: c.amount_captured,
        amount_refunded: refunded,
        captured: c.captured,
        refunded: c.captured && c.amount_captured > 0 && refunded >= c.amount_captured,
        refunds: c.refund_ids.map((/** @type {string} */ id) => refundView(refunds.byId.get(id))),
        payment_intent_id: c.payment_intent_id,
        payment_method_id: c.payment_method_id,
        status: c.status,
        created_at: c.created_at,
        updated_at: c.updated_at,
      },
      c,
      ['captured_at'],
    );
  }

  /** @param {any} pi */
  function intentView(pi) {
    const view = copyDefined(
      {
        id: pi.id,
        account_id: pi.account_id,
        amount: pi.amount,
        amount_capturable: pi.amount_capturable,
        amount_received: pi.amount_received,
        capture_method: pi.capture_method,
        charges: pi.charge_ids.map((/** @type {string} */ id) => chargeView(charges.byId.get(id))),
        client_secret: pi.client_secret,
        currency: pi.currency,
        payment_method_types: [...pi.payment_method_types],
        status: pi.status,
        metadata: { ...pi.metadata },
        created_at: pi.created_at,
        updated_at: pi.updated_at,
      },
      pi,
      ['canceled_at', 'cancellation_reason', 'platform_fee_amount', 'subscription_id'],
    );
    if (pi.customer_id !== undefined) view.customer = customerView(customerOf(pi));
    return view;
  }

  /** The intent's customer; one unknown to the fake (an id given to a session) is shown bare. @param {any} pi */
  function customerOf(pi) {
    return (
      customers.byId.get(pi.customer_id) || {
        id: pi.customer_id,
        account_id: pi.account_id,
        created_at: pi.created_at,
        updated_at: pi.created_at,
        metadata: {},
      }
    );
  }

  /** @param {any} p @param {{ transactionCount?: boolean }} [options] */
  function payoutView(p, options = {}) {
    const view = copyDefined(
      {
        id: p.id,
        account_id: p.account_id,
        amount: p.amount,
        balance_transaction: balanceView(balance.byId.get(p.balance_transaction_id)),
        currency: p.currency,
        status: p.status,
        created_at: p.created_at,
        updated_at: p.updated_at,
      },
      p,
      ['paid_at'],
    );
    if (options.transactionCount) view.transaction_count = balance.all((t) => t.payout_id === p.id && t.type !== 'payout').length;
    return view;
  }

  /** @param {any} d */
  function disputeView(d) {
    return copyDefined(
      {
        id: d.id,
        account_id: d.account_id,
        amount: d.amount,
        balance_transactions: d.balance_transaction_ids.map((/** @type {string} */ id) => balanceView(balance.byId.get(id))),
        charge_id: d.charge_id,
        currency: d.currency,
        status: d.status,
        status_history: d.status_history.map((/** @type {any} */ h) => ({ ...h })),
        created_at: d.created_at,
        updated_at: d.updated_at,
      },
      d,
      ['closing_at', 'reason_description'],
    );
  }

  // ---- balance ----------------------------------------------------------------------------

  /**
   * A pending balance transaction (available two days later), until a payout takes it.
   * @param {{ account_id: string, amount: number, currency: string, type: string, source_type: string, source_id: string, fee_type?: string }} fields
   */
  function addBalance(fields) {
    const now = nextTime();
    return balance.add({ ...fields, id: balance.newId(), status: 'pending', available_on: addDays(now, 2), created_at: now, updated_at: now });
  }

  /** A captured amount enters the balance with the fake's processing fee beside it. @param {any} charge @param {string} currency */
  function balanceForCapture(charge, currency) {
    if (charge.amount_captured <= 0) return;
    const base = { account_id: charge.account_id, currency, source_type: 'charge', source_id: charge.id };
    addBalance({ ...base, amount: charge.amount_captured, type: 'charge' });
    addBalance({ ...base, amount: -processingFee(charge.amount_captured), type: 'fee', fee_type: 'transaction' });
  }

  // ---- payment intents and charges ----------------------------------------------------------

  /**
   * A confirmed payment intent with one card charge: `automatic` captures at once (succeeded),
   * `manual` only authorizes (requires_capture).
   * @param {{ id?: string, account_id: string, amount: number, currency: string, capture_method?: 'automatic' | 'manual',
   *   payment_method_types?: string[], platform_fee_amount?: number, metadata?: Record<string, string>, customer_id?: string }} params
   * @param {{ silent?: boolean }} [options] silent: the caller records the event itself (a paid checkout session)
   */
  function createIntent(params, options = {}) {
    const now = nextTime();
    const id = params.id ?? intents.newId();
    const manual = params.capture_method === 'manual';
    const pi = intents.add({
      id,
      account_id: params.account_id,
      amount: params.amount,
      amount_capturable: manual ? params.amount : 0,
      amount_received: manual ? 0 : params.amount,
      capture_method: manual ? 'manual' : 'automatic',
      charge_ids: /** @type {string[]} */ ([]),
      client_secret: `${id}_secret_${crypto.randomBytes(12).toString('hex')}`,
      currency: params.currency,
      payment_method_types: params.payment_method_types ? [...params.payment_method_types] : ['card'],
      status: manual ? 'requires_capture' : 'succeeded',
      metadata: { ...(params.metadata || {}) },
      created_at: now,
      updated_at: now,
      ...(params.platform_fee_amount !== undefined ? { platform_fee_amount: params.platform_fee_amount } : {}),
      ...(params.customer_id !== undefined ? { customer_id: params.customer_id } : {}),
    });
    const charge = charges.add({
      id: charges.newId(),
      account_id: pi.account_id,
      payment_intent_id: pi.id,
      payment_method_id: `pm_${crypto.randomBytes(10).toString('hex')}`,
      // An authorized, uncaptured card charge has succeeded but is not captured (as Stripe shows it).
      status: 'succeeded',
      authorized: params.amount,
      amount_captured: manual ? 0 : params.amount,
      captured: !manual,
      refund_ids: [],
      created_at: now,
      updated_at: now,
      ...(manual ? {} : { captured_at: now }),
    });
    pi.charge_ids.push(charge.id);
    if (!manual) balanceForCapture(charge, pi.currency);
    if (!options.silent) {
      emit(manual ? 'payment_intent.amount_capturable_updated' : 'payment_intent.succeeded', pi.account_id, intentView(pi));
    }
    return pi;
  }

  /**
   * The succeeded intent a paid checkout session makes (once: paying again finds it). Its
   * metadata is the session's, as the payment_intent.succeeded event always carried.
   * @param {import('./store').CheckoutSession} session
   */
  function payFromSession(session) {
    const existing = intents.byId.get(session.payment_intent_id);
    if (existing) return existing;
    return createIntent(
      {
        id: session.payment_intent_id,
        account_id: session.account_id,
        amount: session.amount_total,
        currency: session.currency,
        payment_method_types: session.payment_method_types,
        metadata: session.metadata,
        customer_id: session.customer_id,
      },
      { silent: true },
    );
  }

  /** @param {any} pi */
  function latestCharge(pi) {
    return pi.charge_ids.length > 0 ? charges.byId.get(pi.charge_ids[pi.charge_ids.length - 1]) : undefined;
  }

  /** @param {any} pi @param {string} [reason] */
  function cancel(pi, reason) {
    if (!CANCELLABLE.includes(pi.status)) {
      throw new Refusal(
        400,
        `Payment intent ${pi.id} cannot be canceled because its status is ${pi.status}; only a payment intent with status ${CANCELLABLE.join(', ')} can be canceled`,
      );
    }
    const now = nextTime();
    Object.assign(pi, { status: 'canceled', amount_capturable: 0, canceled_at: now, updated_at: now });
    if (reason !== undefined) pi.cancellation_reason = reason;
    emit('payment_intent.canceled', pi.account_id, intentView(pi));
    return pi;
  }

  /** @param {any} pi @param {{ amount_to_capture?: number, platform_fee_amount?: number }} params */
  function capture(pi, params) {
    if (pi.status !== 'requires_capture') {
      throw new Refusal(
        400,
        `Payment intent ${pi.id} cannot be captured because its status is ${pi.status}; only a payment intent with status requires_capture can be captured`,
      );
    }
    const amount = params.amount_to_capture ?? pi.amount_capturable;
    if (amount > pi.amount_capturable) {
      throw new Refusal(400, `Amount to capture (${amount}) is greater than the amount capturable (${pi.amount_capturable})`);
    }
    const now = nextTime();
    const charge = latestCharge(pi);
    Object.assign(charge, { amount_captured: amount, captured: true, captured_at: now, updated_at: now });
    // The uncaptured rest is released (not a refund): the charge's refundable amount is what was captured.
    Object.assign(pi, { status: 'succeeded', amount_capturable: 0, amount_received: amount, updated_at: now });
    if (params.platform_fee_amount !== undefined) pi.platform_fee_amount = Math.min(params.platform_fee_amount, amount);
    balanceForCapture(charge, pi.currency);
    emit('charge.captured', pi.account_id, chargeView(charge));
    emit('payment_intent.succeeded', pi.account_id, intentView(pi));
    return pi;
  }

  // ---- refunds ------------------------------------------------------------------------------

  /**
   * Refunds part or all of what is left on the intent's captured charge.
   * @param {any} pi
   * @param {{ amount?: number, reason?: string, refund_platform_fee?: boolean, metadata?: Record<string, string> }} params
   */
  function refund(pi, params) {
    const charge = latestCharge(pi);
    if (!charge || !charge.captured || pi.status !== 'succeeded') {
      throw new Refusal(400, `Payment intent ${pi.id} has no captured charge to refund (its status is ${pi.status})`);
    }
    const refundable = charge.amount_captured - amountRefunded(charge);
    if (refundable <= 0) throw new Refusal(400, `Charge ${charge.id} has already been refunded`);
    const amount = params.amount ?? refundable;
    if (amount > refundable) {
      throw new Refusal(400, `Refund amount (${amount}) is greater than the refundable amount (${refundable})`);
    }
    const bt = addBalance({
      account_id: pi.account_id,
      amount: -amount,
      currency: pi.currency,
      type: 'refund',
      source_type: 'refund',
      source_id: '',
    });
    const now = bt.created_at;
    const created = refunds.add({
      id: refunds.newId(),
      account_id: pi.account_id,
      amount,
      charge_id: charge.id,
      payment_intent_id: pi.id,
      payment_method_id: charge.payment_method_id,
      status: 'succeeded',
      metadata: { ...(params.metadata || {}) },
      balance_transaction_id: bt.id,
      refund_platform_fee: Boolean(params.refund_platform_fee),
      created_at: now,
      updated_at: now,
      ...(params.reason !== undefined ? { reason: params.reason } : {}),
    });
    bt.source_id = created.id;
    charge.refund_ids.push(created.id);
    charge.updated_at = now;
    pi.updated_at = now;
    emit('charge.refunded', pi.account_id, chargeView(charge));
    return created;
  }

  // ---- customers ----------------------------------------------------------------------------

  const CUSTOMER_FIELDS = ['email', 'first_name', 'middle_name', 'last_name', 'phone'];

  /** @param {string} account @param {Record<string, any>} params CustomerCreateParams */
  function createCustomer(account, params) {
    const now = nextTime();
    const customer = customers.add(
      copyDefined({ id: customers.newId(), account_id: account, metadata: { ...(params.metadata || {}) }, created_at: now, updated_at: now }, params, CUSTOMER_FIELDS),
    );
    emit('customer.created', account, customerView(customer));
    return customer;
  }

  /**
   * Sets the given fields; metadata keys are merged, and a key given '' is removed (as the spec's
   * metadata text says).
   * @param {any} customer @param {Record<string, any>} params CustomerUpdateParams
   */
  function updateCustomer(customer, params) {
    copyDefined(customer, params, CUSTOMER_FIELDS);
    if (params.metadata) {
      for (const [key, value] of Object.entries(params.metadata)) {
        if (value === '') delete customer.metadata[key];
        else customer.metadata[key] = value;
      }
    }
    customer.updated_at = nextTime();
    emit('customer.updated', customer.account_id, customerView(customer));
    return customer;
  }

  // ---- payouts and disputes -----------------------------------------------------------------

  /**
   * Pays out the account's balance transactions that no payout has taken yet, in one currency
   * (the oldest one's unless given), as one payout.
   * @param {string} account @param {{ status?: string, currency?: string }} params
   */
  function createPayout(account, params) {
    const open = balance.all((t) => t.account_id === account && t.payout_id === undefined && t.type !== 'payout').reverse();
    const currency = params.currency ?? open[0]?.currency;
    const taken = open.filter((t) => t.currency === currency);
    if (taken.length === 0) throw new Refusal(400, `Account ${account} has no balance transactions to pay out${params.currency ? ` in ${params.currency}` : ''}`);
    const amount = taken.reduce((sum, t) => sum + t.amount, 0);
    const id = payouts.newId();
    const bt = addBalance({ account_id: account, amount: -amount, currency, type: 'payout', source_type: 'payout', source_id: id });
    const now = bt.created_at;
    for (const t of [...taken, bt]) Object.assign(t, { payout_id: id, status: 'available', updated_at: now });
    const status = params.status ?? 'paid';
    const payout = payouts.add({
      id,
      account_id: account,
      amount,
      currency,
      status,
      balance_transaction_id: bt.id,
      created_at: now,
      updated_at: now,
      ...(status === 'paid' ? { paid_at: now } : {}),
    });
    emit('payout.created', account, payoutView(payout));
    if (status === 'paid') emit('payout.paid', account, payoutView(payout));
    return payout;
  }

  /** @param {any} charge @param {{ amount?: number, status?: string, reason_description?: string }} params */
  function openDispute(charge, params) {
    if (!charge.captured) throw new Refusal(400, `Charge ${charge.id} has not been captured and cannot be disputed`);
    const amount = params.amount ?? charge.amount_captured;
    if (amount > charge.amount_captured) {
      throw new Refusal(400, `Dispute amount (${amount}) is greater than the amount captured (${charge.amount_captured})`);
    }
    const pi = intents.byId.get(charge.payment_intent_id);
    const id = disputes.newId();
    const bt = addBalance({ account_id: charge.account_id, amount: -amount, currency: pi.currency, type: 'dispute', source_type: 'dispute', source_id: id });
    const now = bt.created_at;
    const status = params.status ?? 'needs_response';
    const dispute = disputes.add({
      id,
      account_id: charge.account_id,
      amount,
      charge_id: charge.id,
      currency: pi.currency,
      status,
      status_history: [{ status, status_date: now }],
      balance_transaction_ids: [bt.id],
      closing_at: addDays(now, 10),
      created_at: now,
      updated_at: now,
      ...(params.reason_description !== undefined ? { reason_description: params.reason_description } : {}),
    });
    emit('dispute.created', charge.account_id, disputeView(dispute));
    return dispute;
  }

  return {
    Refusal,
    intents,
    charges,
    refunds,
    customers,
    balance,
    payouts,
    disputes,
    views: { intentView, chargeView, refundView, customerView, balanceView, payoutView, disputeView },
    createIntent,
    payFromSession,
    cancel,
    capture,
    refund,
    createCustomer,
    updateCustomer,
    createPayout,
    openDispute,
    reset() {
      for (const collection of [intents, charges, refunds, customers, balance, payouts, disputes]) collection.reset();
    },
  };
}

module.exports = { createPayments, Refusal, processingFee, CANCELLABLE };
