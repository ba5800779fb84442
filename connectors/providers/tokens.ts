import type { TokenSet } from 'openid-client';
import { InvalidGrantError, ProviderError } from './errors';

export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

export function grantFromTokenSet(tokens: TokenSet, provider: string): TokenGrant {
  if (!tokens.access_token || !tokens.refresh_token) throw new ProviderError('rejected', `${provider}'s token endpoint answered without tokens`);
  const expiresAt = tokens.expires_at ? new Date(tokens.expires_at * 1000) : new Date(Date.now() + (tokens.expires_in ?? 1800) * 1000);
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt };
}

/** openid-client's errors: an OAuth error answer (`invalid_grant`…) or an HTTP failure. */
export function tokenEndpointError(error: unknown, provider: string): Error {
  const e = error as { error?: string; error_description?: string; response?: { statusCode?: number }; name?: string; code?: string; message?: string };
  if (e?.error === 'invalid_grant') return new InvalidGrantError(provider);
  const status = e?.response?.statusCode;
  if (e?.error) {
    const message = `${provider}'s token endpoint refused: ${e.error}${e.error_description ? ` (${e.error_description})` : ''}`;
    return new ProviderError(status !== undefined && status >= 500 ? 'unavailable' : 'rejected', message, { status });
  }
  if (status !== undefined && status < 500 && status !== 429) {
    return new ProviderError('rejected', `${provider}'s token endpoint answered HTTP ${status}`, { status });
  }
  return new ProviderError('unavailable', `${provider}'s token endpoint could not be reached: ${e?.message ?? String(error)}`, { status });
}
