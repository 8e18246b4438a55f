import { balanceTransaction } from './balanceTransaction';
import { checkoutSession } from './checkoutSession';
import { customer } from './customer';
import { dispute } from './dispute';
import { paymentIntent } from './paymentIntent';
import { payout } from './payout';
import { refund } from './refund';

/** The resources of the Tilled node, in the Resource list's order. */
export const RESOURCES = [balanceTransaction, checkoutSession, customer, dispute, paymentIntent, payout, refund];
