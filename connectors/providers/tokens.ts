import { custom, Issuer, type Client, type TokenSet } from 'openid-client';
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

/**
 * The OAuth2 side of a provider through openid-client, on endpoints we configure (never a discovery document):
 * the consent URL, the code exchange and the refresh, with provider errors turned into ours.
 */
export function oauthClientFor(settings: {
  provider: string;
  envPrefix: string;
  clientId?: string;
  clientSecret?: string;
  redirectUri: string;
  issuer: string;
  tokenEndpoint: string;
  authorizationEndpoint: string;
  scopes: readonly string[];
  timeoutMs: number;
}) {
  let client: Client | undefined;
  const oauth = () => {
    if (!settings.clientId || !settings.clientSecret) {
      throw new ProviderError('rejected', `${settings.envPrefix}_CLIENT_ID and ${settings.envPrefix}_CLIENT_SECRET must be set to obtain or refresh ${settings.provider} tokens`);
    }
    if (!client) {
      const issuer = new Issuer({ issuer: settings.issuer, token_endpoint: settings.tokenEndpoint, authorization_endpoint: settings.authorizationEndpoint });
      client = new issuer.Client({
        client_id: settings.clientId,
        client_secret: settings.clientSecret,
        redirect_uris: [settings.redirectUri],
        response_types: ['code'],
      });
      client[custom.http_options] = (_url, options) => ({ ...options, timeout: settings.timeoutMs });
    }
    return client;
  };
  const granted = async (request: () => Promise<TokenSet>): Promise<TokenGrant> => {
    try {
      return grantFromTokenSet(await request(), settings.provider);
    } catch (error) {
      throw error instanceof ProviderError ? error : tokenEndpointError(error, settings.provider);
    }
  };
  return {
    authorizeUrl: (state: string) => oauth().authorizationUrl({ scope: settings.scopes.join(' '), state }),
    exchangeCode: (code: string) => granted(() => oauth().grant({ grant_type: 'authorization_code', code, redirect_uri: settings.redirectUri })),
    refresh: (refreshToken: string) => granted(() => oauth().refresh(refreshToken)),
  };
}
