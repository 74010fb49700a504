/**
 * Retries for REST calls (p-retry): only failures worth repeating — 429, 5xx, 408 and network
 * errors or timeouts — with exponential backoff and jitter:
 *
 *   delay_k = min(max_delay_ms, min_delay_ms · 2^(k−1) · U),  U uniform in [1, 2)   (k = 1, 2, …)
 *
 * A 429's Retry-After (capped at max_delay_ms) is waited out on top. Only idempotent calls go
 * through here directly; a submit is retried only by `submitOnce` (alpaca-market.ts), which asks
 * for the order by client order id before every re-send.
 */
import { ApiError, FetchError } from '@alpacahq/alpaca-trade-api';
import pRetry from 'p-retry';

export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  attempts: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export interface RetryNotice {
  what: string;
  attempt: number;
  attemptsLeft: number;
  error: unknown;
}

/** 429, 408 and 5xx answers, and failures with no answer at all (network, timeout). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ApiError) return err.status === 429 || err.status === 408 || err.status >= 500;
  if (err instanceof FetchError) return true;
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number') return status === 429 || status === 408 || status >= 500;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET'].includes(code);
}

function retryAfterMs(err: unknown): number {
  const ms = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;
}

export async function withRetry<T>(
  what: string,
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (notice: RetryNotice) => void,
): Promise<T> {
  return pRetry(fn, {
    retries: Math.max(0, policy.attempts - 1),
    factor: 2,
    minTimeout: policy.minDelayMs,
    maxTimeout: Math.max(policy.minDelayMs, policy.maxDelayMs),
    randomize: true,
    shouldRetry: ({ error }) => isRetryable(error),
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft <= 0 || !isRetryable(error)) return;
      onRetry?.({ what, attempt: attemptNumber, attemptsLeft: retriesLeft, error });
      const extra = Math.min(retryAfterMs(error), policy.maxDelayMs);
      if (extra > 0) await new Promise((resolve) => setTimeout(resolve, extra));
    },
  });
}
