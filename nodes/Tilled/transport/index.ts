// The one way this package talks to Tilled, shared by every Tilled node: the request with its
// retries, error mapping, pagination and concurrency. It knows no resource: each request names
// its path and the action it performs.
export type { TilledContext, TilledRequest } from './request';
export * from './settings';
export * from './pace';
export { tilledApiRequest, backoffMs } from './retry';
export { retryAfterMs } from './send';
export { errorFacts, tilledError } from './errors';
export * from './pagination';
export * from './concurrency';
export { AdaptiveLimiter, INITIAL_LIMIT, type LimitSignal } from './limiter';
