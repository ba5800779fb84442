/**
 * What went wrong with a provider call, in the terms the sync acts on:
 * - `rate-limited`: retry after `retryAfterMs`;
 * - `unauthorized`: the access token was refused; refresh it and retry once;
 * - `unavailable`: outage, timeout, network error or 5xx; retry with backoff within the outage budget;
 * - `rejected`: a 4xx the provider explains (validation, a bad query); retrying cannot help;
 * - `forbidden`: the app has lost access to the tenant; the operator must reconnect.
 */
export type ProviderErrorKind = 'rate-limited' | 'unauthorized' | 'unavailable' | 'rejected' | 'forbidden';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; problem?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The provider refused the refresh token: only a person authorising the app again can mend the connection. */
export class InvalidGrantError extends Error {
  constructor(readonly provider: string) {
    super(`${provider} refused the stored refresh token (invalid_grant)`);
    this.name = 'InvalidGrantError';
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms from now. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export function classifyStatus(status: number): ProviderErrorKind {
  if (status === 429) return 'rate-limited';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 0 || status === 408 || status >= 500) return 'unavailable';
  return 'rejected';
}

/** Rejects after `ms` with an `unavailable` error, so a hung connection is retried like any outage. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ProviderError('unavailable', `${what} did not answer within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value);
    }
  }
  return out;
}
