import QuickBooks from 'node-quickbooks';
import type { QboCustomerShape } from '../../domain/sync/quickbooks';
import type { ProviderConfig } from '../../worker/config';
import { classifyStatus, lowerCaseHeaders, ProviderError, retryAfterMs, withTimeout } from './errors';
import { oauthClientFor } from './tokens';

export const QUICKBOOKS_SCOPES = ['com.intuit.quickbooks.accounting'];
const CALL_TIMEOUT_MS = 60_000;
const MINOR_VERSION = 75;

export interface QboPage {
  customers: QboCustomerShape[];
}

type Callback = (err: unknown, body: unknown, res?: { status?: number; headers?: unknown }) => void;

/** The part of node-quickbooks we use, as its JavaScript behaves (its bundled typings disagree on a few arguments). */
interface QuickBooksClient {
  endpoint: string;
  changeDataCapture(entities: string[], since: string, callback: Callback): void;
  findCustomers(criteria: string, callback: Callback): void;
}
type QuickBooksConstructor = new (
  clientId: string,
  clientSecret: string,
  accessToken: string,
  tokenSecret: false,
  realmId: string,
  useSandbox: boolean,
  debug: boolean,
  minorVersion: number,
  oauthVersion: '2.0',
) => QuickBooksClient;

/** node-quickbooks hands callbacks either a Fault body or an axios error (with `response`). */
function quickbooksError(err: unknown, res?: { status?: number; headers?: unknown }): ProviderError {
  if (err instanceof ProviderError) return err;
  const axiosLike = err as { response?: { status?: number; data?: unknown; headers?: unknown }; message?: string; code?: string };
  const response = axiosLike?.response ?? (res ? { status: res.status, headers: res.headers, data: err } : undefined);
  const body = response?.data ?? err;
  const status = response?.status ?? (isFault(body) ? 400 : 0);
  const headers = lowerCaseHeaders(response?.headers);
  const detail = describeFault(body) ?? axiosLike?.message ?? String(err);
  const kind = classifyStatus(status);
  const message = status === 0 ? `QuickBooks could not be reached: ${detail}` : `QuickBooks answered HTTP ${status}: ${detail}`;
  return new ProviderError(kind, message, { status, headers, retryAfterMs: retryAfterMs(headers['retry-after']) });
}

function isFault(body: unknown): body is { Fault: { Error?: { Message?: string; Detail?: string; code?: string; element?: string }[]; type?: string } } {
  return !!body && typeof body === 'object' && 'Fault' in body;
}

function describeFault(body: unknown): string | undefined {
  if (!isFault(body)) return typeof body === 'string' && body !== '' ? body.slice(0, 300) : undefined;
  const errors = body.Fault.Error ?? [];
  return (
    errors.map((e) => [e.Message, e.Detail, e.code ? `code ${e.code}` : undefined, e.element ? `element ${e.element}` : undefined].filter(Boolean).join(': ')).join('; ') ||
    body.Fault.type ||
    'a Fault without details'
  );
}

/** QuickBooks' query language wants instants as ISO 8601 with an offset. */
const qboInstant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * QuickBooks Online through node-quickbooks, with every URL from configuration: the API endpoint is set on each
 * client, and tokens go through openid-client against our own OAuth URL (never node-quickbooks' setOauthVersion,
 * which would fetch Intuit's discovery document).
 */
export function createQuickBooksConnector(config: ProviderConfig['quickbooks']) {
  const oauth = oauthClientFor({
    provider: 'QuickBooks',
    envPrefix: 'QBO',
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: config.redirectUri,
    issuer: config.oauthUrl,
    tokenEndpoint: `${config.oauthUrl}/oauth2/v1/tokens/bearer`,
    authorizationEndpoint: config.authorizeUrl,
    scopes: QUICKBOOKS_SCOPES,
    timeoutMs: CALL_TIMEOUT_MS,
  });

  const client = (accessToken: string, realmId: string) => {
    const qbo = new (QuickBooks as unknown as QuickBooksConstructor)(config.clientId ?? '', config.clientSecret ?? '', accessToken, false, realmId, config.environment === 'sandbox', false, MINOR_VERSION, '2.0');
    // The endpoint is read per client at construction; set ours rather than the library-wide static.
    qbo.endpoint = `${config.apiUrl}/v3/company/`;
    return qbo;
  };

  const call = <T>(start: (callback: Callback) => void): Promise<T> =>
    withTimeout(
      new Promise<T>((resolve, reject) => {
        start((err, body, res) => (err ? reject(quickbooksError(err, res)) : resolve(body as T)));
      }),
      CALL_TIMEOUT_MS,
      'QuickBooks',
    );

  return {
    provider: 'quickbooks' as const,

    ...oauth,

    /** Change data capture: every customer changed since then (deleted ones too), at most 1,000 and no paging. */
    async changedCustomers(accessToken: string, realmId: string, since: number): Promise<QboPage> {
      const body = await call<{ CDCResponse?: { QueryResponse?: { Customer?: QboCustomerShape[] }[] }[] }>((cb) =>
        client(accessToken, realmId).changeDataCapture(['Customer'], qboInstant(since), cb),
      );
      const customers = (body.CDCResponse ?? []).flatMap((r) => (r.QueryResponse ?? []).flatMap((q) => q.Customer ?? []));
      return { customers };
    },

    /** One page of customers changed at or after `since` (all of them when null), active or not, oldest change first. */
    async customersPage(accessToken: string, realmId: string, query: { since: number | null; page: number; pageSize: number }): Promise<QboPage> {
      const changed = query.since === null ? '' : `Metadata.LastUpdatedTime >= '${qboInstant(query.since)}' and `;
      const criteria =
        `where ${changed}Active IN (true, false) orderby Metadata.LastUpdatedTime, Id ` +
        `startposition ${(query.page - 1) * query.pageSize + 1} maxresults ${query.pageSize}`;
      const body = await call<{ QueryResponse?: { Customer?: QboCustomerShape[] } }>((cb) => client(accessToken, realmId).findCustomers(criteria, cb));
      return { customers: body.QueryResponse?.Customer ?? [] };
    },
  };
}

export type QuickBooksConnector = ReturnType<typeof createQuickBooksConnector>;
