// The one way this package talks to Tilled, shared by every Tilled node: the request with its
// retries, error mapping, pagination and concurrency.
export * from './request';
export { errorFacts, tilledError } from './errors';
export * from './pagination';
export * from './concurrency';
export { AdaptiveLimiter, INITIAL_LIMIT, type LimitSignal } from './limiter';
