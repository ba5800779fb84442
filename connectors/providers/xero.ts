import { AccountingApi, type Contact } from 'xero-node';
import type { ProviderConfig } from '../../worker/config';
import { classifyStatus, lowerCaseHeaders, ProviderError, retryAfterMs, withTimeout } from './errors';
import { oauthClientFor } from './tokens';

export const XERO_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'accounting.contacts.read'];
const CALL_TIMEOUT_MS = 60_000;

export interface XeroTenant {
  tenantId: string;
  tenantName: string;
}

export interface XeroPage {
  contacts: Contact[];
  headers: Record<string, string>;
}

/** xero-node rejects with a JSON string of `{ response: { statusCode, body, headers } }`. */
function xeroApiError(rejection: unknown): ProviderError {
  let parsed: { response?: { statusCode?: number; body?: unknown; headers?: unknown } } | undefined;
  if (typeof rejection === 'string') {
    try {
      parsed = JSON.parse(rejection) as typeof parsed;
    } catch {
      parsed = undefined;
    }
  } else if (rejection && typeof rejection === 'object' && 'response' in rejection) {
    const response = (rejection as { response: { status?: number; data?: unknown; headers?: unknown } }).response;
    parsed = { response: { statusCode: response.status, body: response.data, headers: response.headers } };
  }
  if (rejection instanceof ProviderError) return rejection;
  if (!parsed?.response) return new ProviderError('unavailable', `Xero could not be reached: ${String(rejection)}`);
  const status = parsed.response.statusCode ?? 0;
  const headers = lowerCaseHeaders(parsed.response.headers);
  const kind = classifyStatus(status);
  const message = status === 0 ? `Xero could not be reached: ${describeBody(parsed.response.body)}` : `Xero answered HTTP ${status}: ${describeBody(parsed.response.body)}`;
  return new ProviderError(kind, message, {
    status,
    headers,
    retryAfterMs: retryAfterMs(headers['retry-after']),
    problem: headers['x-rate-limit-problem'],
  });
}

/** Xero's error bodies: `{ Message, Elements: [{ ValidationErrors: [{ Message }] }] }`, `{ Title, Detail }` or text. */
function describeBody(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300);
  if (!body || typeof body !== 'object') return 'no details';
  const b = body as { Message?: string; Detail?: string; Title?: string; Elements?: { ValidationErrors?: { Message?: string }[] }[] };
  const validation = (b.Elements ?? []).flatMap((e) => e.ValidationErrors ?? []).map((v) => v.Message).filter(Boolean);
  return [b.Message ?? b.Title, b.Detail, ...validation].filter(Boolean).join('; ') || JSON.stringify(body).slice(0, 300);
}

/**
 * Xero through xero-node, with every URL taken from configuration: the accounting API's base path is set on the
 * client, and tokens go through an openid-client built from our own identity URL (xero-node would discover and call
 * identity.xero.com itself).
 */
export function createXeroConnector(config: ProviderConfig['xero']) {
  const oauth = oauthClientFor({
    provider: 'Xero',
    envPrefix: 'XERO',
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: config.redirectUri,
    issuer: config.identityUrl,
    tokenEndpoint: `${config.identityUrl}/connect/token`,
    authorizationEndpoint: `${config.loginUrl}/identity/connect/authorize`,
    scopes: XERO_SCOPES,
    timeoutMs: CALL_TIMEOUT_MS,
  });

  return {
    provider: 'xero' as const,
    ...oauth,

    /** The organisations a token may read: `GET /connections`, called ourselves since xero-node hard-codes its URL. */
    async tenants(accessToken: string): Promise<XeroTenant[]> {
      let response: Response;
      try {
        response = await fetch(`${config.apiUrl}/connections`, {
          headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
          signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        });
      } catch (error) {
        throw new ProviderError('unavailable', `Xero could not be reached: ${(error as Error).message}`);
      }
      const text = await response.text();
      if (!response.ok) {
        const headers = Object.fromEntries(response.headers.entries());
        throw xeroApiError(JSON.stringify({ response: { statusCode: response.status, body: safeJson(text), headers } }));
      }
      const body = safeJson(text);
      if (!Array.isArray(body)) throw new ProviderError('rejected', 'Xero /connections did not answer a list');
      return body.map((t: { tenantId: string; tenantName?: string }) => ({ tenantId: t.tenantId, tenantName: t.tenantName ?? '' }));
    },

    /** One page of contacts changed after `since`, oldest change first, archived ones included. */
    async contactsPage(accessToken: string, tenantId: string, query: { since: number | null; page: number; pageSize: number }): Promise<XeroPage> {
      const api = new AccountingApi(`${config.apiUrl}/api.xro/2.0`);
      api.accessToken = accessToken;
      try {
        const { body, response } = await withTimeout(
          api.getContacts(
            tenantId,
            query.since === null ? undefined : new Date(query.since),
            undefined,
            'UpdatedDateUTC ASC',
            undefined,
            query.page,
            true,
            undefined,
            undefined,
            query.pageSize,
          ),
          CALL_TIMEOUT_MS,
          'Xero',
        );
        return { contacts: body.contacts ?? [], headers: lowerCaseHeaders(response.headers) };
      } catch (error) {
        throw xeroApiError(error);
      }
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export type XeroConnector = ReturnType<typeof createXeroConnector>;
