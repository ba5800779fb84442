import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseContactsQuery, QueryError, TenantContacts } from './data';
import type {
  FakeRequestLogEntry,
  FakeXero,
  FakeXeroFaults,
  RateLimitProblem,
  XeroContactRecord,
  XeroFakeLimits,
  XeroFakeOptions,
  XeroTokenResponse,
} from './types';

export type * from './types';
export { msDate } from './data';

/**
 * A fake Xero for tests and benchmarks: the Accounting API's Contacts, the identity endpoints (/connections,
 * /connect/token, /identity/connect/authorize), Xero's rate limits, and injectable faults, on one HTTP server on
 * 127.0.0.1. The real xero-node SDK and openid-client talk to it over real HTTP.
 *
 * What it does, where Xero's documentation leaves a choice:
 * - Rate limits per tenant are sliding windows of real time (not the `now` option): `perMinute` calls started within
 *   any `windowMs`, `perDay` within any 24 hours (Xero's day is a fixed window that resets at a time of its own per
 *   tenant; sliding is stricter), `concurrent` in flight, and `appPerMinute` across all tenants within `windowMs`.
 *   A 429 carries Retry-After (whole seconds until a slot frees, at least 1) and X-Rate-Limit-Problem: minute, day,
 *   concurrent or appminute. Rejected calls take no quota. Only authenticated calls of a connected tenant are counted.
 * - Refresh tokens are single-use and rotate. A used refresh token still works for `refreshGraceMs` after its use: it
 *   answers the newest token pair of its chain (the one its successor rotated into, if that was used too) without
 *   rotating again, and with a new access token only if that pair's had expired. Refresh tokens live 60 days.
 *   A refresh token is issued only for the offline_access scope (issueTokens always includes it).
 * - Access tokens are unsigned JWT-shaped strings (`{"alg":"none"}` header, Xero's claims, a random tail); the server
 *   looks them up, it does not read them. No id_token is ever issued (openid-client's oauthCallback() and refresh()
 *   then need no keys).
 * - GET /Contacts without `order` sorts by UpdatedDateUTC then ContactID; pageSize above 1000 is answered as 1000;
 *   archived (and GDPRREQUEST) contacts only with includeArchived=true; an unparseable If-Modified-Since, page or
 *   pageSize is a 400 ValidationException and an unparseable where/order a 400 QueryParseException.
 */

const DEFAULT_LIMITS: XeroFakeLimits = { perMinute: 60, windowMs: 60_000, concurrent: 5, perDay: 5_000, appPerMinute: 10_000 };
const DAY_MS = 24 * 60 * 60_000;
const REFRESH_TOKEN_LIFETIME_MS = 60 * DAY_MS;
const CODE_LIFETIME_MS = 5 * 60_000;
const API_PREFIX = '/api.xro/2.0/';
const PROVIDER_NAME = 'Switchboard fake Xero';
const DEFAULT_SCOPE = 'openid profile email accounting.contacts offline_access';
const JSON_TYPE = 'application/json; charset=utf-8';
const NOT_FOUND_TEXT = "The resource you're looking for cannot be found";

/** Calls started within a sliding span of time. */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;
  constructor(private readonly spanMs: number) {}

  count(now: number): number {
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - this.spanMs) this.head++;
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  add(now: number): void {
    this.times.push(now);
  }

  /** ms until the oldest call in the window leaves it. */
  msUntilSlot(now: number): number {
    this.count(now);
    const oldest = this.times[this.head];
    return oldest === undefined ? 0 : oldest + this.spanMs - now;
  }
}

interface TenantState {
  tenantId: string;
  tenantName: string;
  contacts: TenantContacts;
  minute: SlidingWindow;
  day: SlidingWindow;
  inFlight: number;
  maxInFlight: number;
  maxInWindow: number;
}

interface Grant {
  clientId: string;
  tenantIds: string[];
  scope: string;
  authEventId: string;
  userId: string;
  authTime: number;
}

interface AccessTokenState {
  grant: Grant;
  /** By the `now` clock. */
  expiresAt: number;
  forcedExpired: boolean;
}

interface RefreshTokenState {
  grant: Grant;
  expiresAt: number;
  /** The access token issued together with this refresh token. */
  access: string;
  usedAt?: number;
  successor?: string;
}

interface CodeState {
  grant: Grant;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

interface ConnectionState {
  id: string;
  tenantId: string;
  authEventId: string;
  createdAt: number;
  updatedAt: number;
}

type Headers = Record<string, string>;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Connection dates as Xero writes them: UTC without a zone, seven fractional digits. */
function connectionDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '0000');
}

/** The "MM/dd/yyyy HH:mm:ss" of Xero's TokenExpired detail. */
function usDateTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function problemBody(status: number, title: string, detail: string): string {
  return JSON.stringify({ Type: null, Title: title, Status: status, Detail: detail, Instance: randomUUID(), Extensions: {} });
}

/** The headers of a request for the log: credentials redacted, cookies left out. */
function loggableHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'cookie') continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (name === 'authorization' || name === 'proxy-authorization') {
      const scheme = /^(\S+)\s/.exec(text);
      out[name] = scheme === null ? '[redacted]' : `${scheme[1]} [redacted]`;
    } else {
      out[name] = text;
    }
  }
  return out;
}

/** application/x-www-form-urlencoded decoding, as RFC 6749 2.3.1 asks for the parts of HTTP Basic client auth. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function startFakeXero(options: XeroFakeOptions = {}): Promise<FakeXero> {
  const clientId = options.clientId ?? 'fake-xero-client-id';
  const clientSecret = options.clientSecret ?? 'fake-xero-client-secret';
  const webhookKey = options.webhookKey ?? 'fake-xero-webhook-key';
  const limits: XeroFakeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const accessTokenTtlMs = (options.accessTokenTtlSeconds ?? 1800) * 1000;
  const refreshGraceMs = options.refreshGraceMs ?? 30 * 60_000;
  const now = options.now ?? Date.now;

  const tenants = new Map<string, TenantState>();
  const connections = new Map<string, ConnectionState>();
  const accessTokens = new Map<string, AccessTokenState>();
  const refreshTokens = new Map<string, RefreshTokenState>();
  const codes = new Map<string, CodeState>();
  const appWindow = new SlidingWindow(limits.windowMs);
  const log: FakeRequestLogEntry[] = [];
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const userId = randomUUID();
  let url = '';
  let tokenRefreshes = 0;
  let graceRefreshes = 0;

  // Faults.
  let outageUntil = 0;
  let outageStatus = 503;
  let forced429: { count: number; retryAfterSeconds: number; problem: RateLimitProblem } | undefined;
  let slow: { ms: number; remaining: number } | undefined;
  let dropCount = 0;
  let invalidGrantOn = false;

  function tenantOf(tenantId: string): TenantState {
    const tenant = tenants.get(tenantId.toLowerCase());
    if (tenant === undefined) throw new Error(`fake Xero: no tenant ${tenantId}`);
    return tenant;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = {
        timer: setTimeout(() => {
          timers.delete(handle);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(handle);
    });
  }

  function takeSlow(): number {
    if (slow === undefined) return 0;
    const ms = slow.ms;
    slow.remaining--;
    if (slow.remaining <= 0) slow = undefined;
    return ms;
  }

  // ---- tokens ---------------------------------------------------------------------------------------------------------

  function connect(tenantIds: string[], authEventId: string): void {
    const at = now();
    for (const tenantId of tenantIds) {
      const existing = connections.get(tenantId);
      if (existing === undefined) connections.set(tenantId, { id: randomUUID(), tenantId, authEventId, createdAt: at, updatedAt: at });
      else Object.assign(existing, { authEventId, updatedAt: at });
    }
  }

  function newAccessToken(grant: Grant): string {
    const issuedAt = now();
    const expiresAt = issuedAt + accessTokenTtlMs;
    const payload = {
      nbf: Math.floor(issuedAt / 1000),
      exp: Math.floor(expiresAt / 1000),
      iss: url,
      aud: `${url}/resources`,
      client_id: grant.clientId,
      sub: grant.userId,
      auth_time: Math.floor(grant.authTime / 1000),
      xero_userid: grant.userId,
      global_session_id: grant.authEventId,
      jti: randomUUID(),
      authentication_event_id: grant.authEventId,
      scope: grant.scope.split(' '),
    };
    const token = `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}.${base64url(randomBytes(24))}`;
    accessTokens.set(token, { grant, expiresAt, forcedExpired: false });
    return token;
  }

  function tokenResponse(grant: Grant, access: string, refresh: string | undefined): Record<string, unknown> {
    const state = accessTokens.get(access) as AccessTokenState;
    return {
      access_token: access,
      expires_in: Math.max(0, Math.round((state.expiresAt - now()) / 1000)),
      token_type: 'Bearer',
      ...(refresh === undefined ? {} : { refresh_token: refresh }),
      scope: grant.scope,
    };
  }

  /** A new access token, and a refresh token when the grant has offline_access. */
  function issuePair(grant: Grant): { access: string; refresh: string | undefined } {
    const access = newAccessToken(grant);
    if (!grant.scope.split(' ').includes('offline_access')) return { access, refresh: undefined };
    const refresh = base64url(randomBytes(32));
    refreshTokens.set(refresh, { grant, expiresAt: now() + REFRESH_TOKEN_LIFETIME_MS, access });
    return { access, refresh };
  }

  function accessExpired(state: AccessTokenState): boolean {
    return state.forcedExpired || now() >= state.expiresAt;
  }

  // ---- HTTP -----------------------------------------------------------------------------------------------------------

  function send(res: http.ServerResponse, status: number, body: string, headers: Headers = {}, contentType = JSON_TYPE): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  }

  function rateHeaders(tenant: TenantState | undefined, overrides: Partial<Record<'minute' | 'day', number>> = {}): Headers {
    const at = Date.now();
    const minuteLeft = tenant === undefined ? limits.perMinute : limits.perMinute - tenant.minute.count(at);
    const dayLeft = tenant === undefined ? limits.perDay : limits.perDay - tenant.day.count(at);
    return {
      'X-MinLimit-Remaining': String(Math.max(0, overrides.minute ?? minuteLeft)),
      'X-DayLimit-Remaining': String(Math.max(0, overrides.day ?? dayLeft)),
      'X-AppMinLimit-Remaining': String(Math.max(0, limits.appPerMinute - appWindow.count(at))),
      'Xero-Correlation-Id': randomUUID(),
    };
  }

  function sendRateLimited(res: http.ServerResponse, tenant: TenantState | undefined, problem: RateLimitProblem | 'appminute', retryAfterSeconds: number): void {
    const overrides = problem === 'minute' ? { minute: 0 } : problem === 'day' ? { day: 0 } : {};
    send(res, 429, problemBody(429, 'Too Many Requests', `Rate limit exceeded: ${problem} limit`), {
      ...rateHeaders(tenant, overrides),
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
      'X-Rate-Limit-Problem': problem,
    });
  }

  function sendOutage(res: http.ServerResponse, headers: Headers = {}): void {
    const text =
      outageStatus === 503
        ? 'The Xero API is currently offline for maintenance'
        : outageStatus >= 500
          ? 'An unhandled error with the Xero API occurred. Contact the Xero API team if problems persist.'
          : (http.STATUS_CODES[outageStatus] ?? 'Error');
    send(res, outageStatus, text, headers, 'text/plain; charset=utf-8');
  }

  type BearerCheck = { ok: true; token: AccessTokenState } | { ok: false; status: 401; body: string; wwwAuthenticate: string };

  function checkBearer(req: http.IncomingMessage): BearerCheck {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) {
      return { ok: false, status: 401, body: problemBody(401, 'Unauthorized', 'AuthenticationUnsuccessful'), wwwAuthenticate: 'Bearer' };
    }
    const token = accessTokens.get(match[1] as string);
    if (token === undefined) {
      return { ok: false, status: 401, body: problemBody(401, 'Unauthorized', 'AuthenticationUnsuccessful'), wwwAuthenticate: 'Bearer error="invalid_token"' };
    }
    if (accessExpired(token)) {
      const expiredAt = usDateTime(token.forcedExpired ? Math.min(token.expiresAt, now()) : token.expiresAt);
      return {
        ok: false,
        status: 401,
        body: problemBody(401, 'Unauthorized', `TokenExpired: token expired at ${expiredAt}`),
        wwwAuthenticate: `Bearer error="invalid_token", error_description="The token expired at '${expiredAt}'"`,
      };
    }
    return { ok: true, token };
  }

  function readBody(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > 1_000_000) {
          reject(new Error('body too large'));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  // ---- the accounting API ---------------------------------------------------------------------------------------------

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, requestUrl: URL, entry: FakeRequestLogEntry): Promise<void> {
    const tenantHeader = req.headers['xero-tenant-id'];
    const tenantId = typeof tenantHeader === 'string' && tenantHeader !== '' ? tenantHeader.toLowerCase() : undefined;
    if (tenantId !== undefined) entry.tenantId = tenantId;

    if (dropCount > 0) {
      dropCount--;
      entry.rejected = 'dropped';
      req.socket.destroy();
      return;
    }
    const delay = takeSlow();
    const reject = async (rejection: FakeRequestLogEntry['rejected'], answer: () => void) => {
      entry.rejected = rejection;
      if (delay > 0) await sleep(delay);
      answer();
    };

    const tenant = tenantId === undefined ? undefined : tenants.get(tenantId);
    if (Date.now() < outageUntil) return reject('outage', () => sendOutage(res, rateHeaders(tenant)));
    if (forced429 !== undefined) {
      const { retryAfterSeconds, problem } = forced429;
      forced429.count--;
      if (forced429.count <= 0) forced429 = undefined;
      return reject('rate-limit', () => sendRateLimited(res, tenant, problem, retryAfterSeconds));
    }

    const bearer = checkBearer(req);
    if (!bearer.ok) {
      return reject('auth', () => send(res, bearer.status, bearer.body, { ...rateHeaders(tenant), 'WWW-Authenticate': bearer.wwwAuthenticate }));
    }
    const grant = bearer.token.grant;
    if (tenant === undefined || !grant.tenantIds.includes(tenant.tenantId) || !connections.has(tenant.tenantId)) {
      return reject('auth', () => send(res, 403, problemBody(403, 'Forbidden', 'AuthenticationUnsuccessful'), rateHeaders(tenant)));
    }
    const scopes = grant.scope.split(' ');
    if (!scopes.includes('accounting.contacts') && !scopes.includes('accounting.contacts.read')) {
      return reject('auth', () =>
        send(res, 401, problemBody(401, 'Unauthorized', 'AuthorizationUnsuccessful'), { ...rateHeaders(tenant), 'WWW-Authenticate': 'Bearer error="insufficient_scope"' }),
      );
    }

    // The limits, in the order Xero names them in X-Rate-Limit-Problem. A rejected call takes no quota.
    const at = Date.now();
    if (appWindow.count(at) >= limits.appPerMinute) {
      return reject('rate-limit', () => sendRateLimited(res, tenant, 'appminute', appWindow.msUntilSlot(at) / 1000));
    }
    if (tenant.day.count(at) >= limits.perDay) {
      return reject('rate-limit', () => sendRateLimited(res, tenant, 'day', tenant.day.msUntilSlot(at) / 1000));
    }
    if (tenant.minute.count(at) >= limits.perMinute) {
      return reject('rate-limit', () => sendRateLimited(res, tenant, 'minute', tenant.minute.msUntilSlot(at) / 1000));
    }
    if (tenant.inFlight >= limits.concurrent) {
      return reject('rate-limit', () => sendRateLimited(res, tenant, 'concurrent', 1));
    }

    // Accepted: in flight until the answer is out (or the client has gone).
    appWindow.add(at);
    tenant.day.add(at);
    tenant.minute.add(at);
    tenant.maxInWindow = Math.max(tenant.maxInWindow, tenant.minute.count(at));
    tenant.inFlight++;
    tenant.maxInFlight = Math.max(tenant.maxInFlight, tenant.inFlight);
    res.once('close', () => {
      tenant.inFlight--;
    });
    if (delay > 0) await sleep(delay);
    answerApi(req, res, requestUrl, tenant, entry);
  }

  function answerApi(req: http.IncomingMessage, res: http.ServerResponse, requestUrl: URL, tenant: TenantState, entry: FakeRequestLogEntry): void {
    const headers = rateHeaders(tenant);
    const rest = requestUrl.pathname.slice(API_PREFIX.length).split('/').filter((part) => part !== '');
    if (rest.length === 0 || rest[0]?.toLowerCase() !== 'contacts' || rest.length > 2) {
      send(res, 404, NOT_FOUND_TEXT, headers, 'text/html; charset=utf-8');
      return;
    }
    if (req.method !== 'GET') {
      // Creating and updating contacts is not part of the fake (yet): seed them with upsertContact.
      send(res, 405, JSON.stringify({ ErrorNumber: 405, Type: 'MethodNotAllowed', Message: `The fake Xero answers only GET on Contacts, not ${req.method}` }), {
        ...headers,
        Allow: 'GET',
      });
      return;
    }
    const envelope = `{"Id":"${randomUUID()}","Status":"OK","ProviderName":"${PROVIDER_NAME}","DateTimeUTC":"/Date(${now()})/"`;
    if (rest.length === 2) {
      let key: string;
      try {
        key = decodeURIComponent(rest[1] as string);
      } catch {
        key = rest[1] as string;
      }
      const wire = tenant.contacts.wireByKey(key);
      if (wire === undefined) send(res, 404, NOT_FOUND_TEXT, headers, 'text/html; charset=utf-8');
      else send(res, 200, `${envelope},"Contacts":[${wire}]}`, headers);
      return;
    }
    try {
      const ifModifiedSince = req.headers['if-modified-since'];
      const query = parseContactsQuery(requestUrl.searchParams, ifModifiedSince);
      const { wires, itemCount } = tenant.contacts.query(query);
      const pagination = { page: query.page, pageSize: query.pageSize, pageCount: Math.ceil(itemCount / query.pageSize), itemCount };
      send(res, 200, `${envelope},"pagination":${JSON.stringify(pagination)},"Contacts":[${wires.join(',')}]}`, headers);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      entry.rejected = 'validation';
      const body =
        error.type === 'QueryParseException'
          ? { ErrorNumber: 16, Type: 'QueryParseException', Message: error.message }
          : { ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: [{ ValidationErrors: [{ Message: error.message }] }] };
      send(res, 400, JSON.stringify(body), headers);
    }
  }

  // ---- identity -------------------------------------------------------------------------------------------------------

  async function handleConnections(req: http.IncomingMessage, res: http.ServerResponse, requestUrl: URL, entry: FakeRequestLogEntry): Promise<void> {
    if (Date.now() < outageUntil) {
      entry.rejected = 'outage';
      sendOutage(res);
      return;
    }
    const bearer = checkBearer(req);
    if (!bearer.ok) {
      entry.rejected = 'auth';
      send(res, bearer.status, bearer.body, { 'WWW-Authenticate': bearer.wwwAuthenticate });
      return;
    }
    const grant = bearer.token.grant;
    const parts = requestUrl.pathname.split('/').filter((part) => part !== '');
    if (req.method === 'DELETE' && parts.length === 2) {
      const id = (parts[1] as string).toLowerCase();
      const connection = [...connections.values()].find((c) => c.id === id && grant.tenantIds.includes(c.tenantId));
      if (connection === undefined) {
        send(res, 404, NOT_FOUND_TEXT, {}, 'text/html; charset=utf-8');
        return;
      }
      connections.delete(connection.tenantId);
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'GET' || parts.length !== 1) {
      send(res, 404, NOT_FOUND_TEXT, {}, 'text/html; charset=utf-8');
      return;
    }
    const authEventId = requestUrl.searchParams.get('authEventId')?.toLowerCase();
    const list = grant.tenantIds
      .map((tenantId) => connections.get(tenantId))
      .filter((c): c is ConnectionState => c !== undefined && (authEventId === undefined || c.authEventId === authEventId))
      .map((c) => ({
        id: c.id,
        authEventId: c.authEventId,
        tenantId: c.tenantId,
        tenantType: 'ORGANISATION',
        tenantName: tenants.get(c.tenantId)?.tenantName ?? '',
        createdDateUtc: connectionDate(c.createdAt),
        updatedDateUtc: connectionDate(c.updatedAt),
      }));
    send(res, 200, JSON.stringify(list));
  }

  function handleAuthorize(res: http.ServerResponse, requestUrl: URL, entry: FakeRequestLogEntry): void {
    const params = requestUrl.searchParams;
    const redirectUri = params.get('redirect_uri');
    if (params.get('client_id') !== clientId) {
      entry.rejected = 'auth';
      send(res, 400, JSON.stringify({ error: 'invalid_client', error_description: 'unknown client_id' }));
      return;
    }
    let redirect: URL;
    try {
      redirect = new URL(redirectUri ?? '');
    } catch {
      entry.rejected = 'validation';
      send(res, 400, JSON.stringify({ error: 'invalid_request', error_description: 'redirect_uri is missing or not an absolute URL' }));
      return;
    }
    const state = params.get('state');
    const scope = (params.get('scope') ?? '').trim().split(/\s+/).filter((s) => s !== '').join(' ');
    if (params.get('response_type') !== 'code' || scope === '') {
      entry.rejected = 'validation';
      redirect.searchParams.set('error', params.get('response_type') !== 'code' ? 'unsupported_response_type' : 'invalid_scope');
      if (state !== null) redirect.searchParams.set('state', state);
      res.writeHead(302, { Location: redirect.toString() }).end();
      return;
    }
    // The fake user consents at once, to every tenant the fake has.
    const grant: Grant = { clientId, tenantIds: [...tenants.keys()], scope, authEventId: randomUUID(), userId, authTime: now() };
    connect(grant.tenantIds, grant.authEventId);
    const code = base64url(randomBytes(32));
    codes.set(code, { grant, redirectUri: redirectUri as string, expiresAt: now() + CODE_LIFETIME_MS, used: false });
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('scope', scope);
    if (state !== null) redirect.searchParams.set('state', state);
    redirect.searchParams.set('session_state', base64url(randomBytes(16)));
    res.writeHead(302, { Location: redirect.toString() }).end();
  }

  async function handleToken(req: http.IncomingMessage, res: http.ServerResponse, entry: FakeRequestLogEntry): Promise<void> {
    const tokenError = (status: number, error: string, description: string) => {
      entry.rejected = error === 'invalid_grant' || error === 'invalid_client' ? 'auth' : 'validation';
      send(res, status, JSON.stringify({ error, error_description: description }), { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    };
    if (req.method !== 'POST') {
      tokenError(405, 'invalid_request', 'POST only');
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic !== null) {
      const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = formDecode(colon < 0 ? decoded : decoded.slice(0, colon));
      secret = colon < 0 ? '' : formDecode(decoded.slice(colon + 1));
    }
    if (id !== clientId || secret !== clientSecret) {
      tokenError(400, 'invalid_client', 'client authentication failed');
      return;
    }
    const answer = (body: Record<string, unknown>) => send(res, 200, JSON.stringify(body), { 'Cache-Control': 'no-store', Pragma: 'no-cache' });

    switch (form.get('grant_type')) {
      case 'authorization_code': {
        const code = codes.get(form.get('code') ?? '');
        if (code === undefined || code.used || now() > code.expiresAt || code.grant.clientId !== id) {
          tokenError(400, 'invalid_grant', 'the code is unknown, used or expired');
          return;
        }
        if (form.get('redirect_uri') !== code.redirectUri) {
          tokenError(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
          return;
        }
        code.used = true;
        const pair = issuePair(code.grant);
        answer(tokenResponse(code.grant, pair.access, pair.refresh));
        return;
      }
      case 'refresh_token': {
        if (invalidGrantOn) {
          tokenError(400, 'invalid_grant', 'refresh token is invalid (fault)');
          return;
        }
        const presented = form.get('refresh_token') ?? '';
        const state = refreshTokens.get(presented);
        if (state === undefined || state.grant.clientId !== id || now() > state.expiresAt) {
          tokenError(400, 'invalid_grant', 'the refresh token is unknown or expired');
          return;
        }
        if (state.usedAt === undefined) {
          state.usedAt = now();
          const pair = issuePair(state.grant);
          state.successor = pair.refresh;
          tokenRefreshes++;
          answer(tokenResponse(state.grant, pair.access, pair.refresh));
          return;
        }
        if (now() - state.usedAt > refreshGraceMs) {
          tokenError(400, 'invalid_grant', 'the refresh token has been used');
          return;
        }
        // Within the grace period: the newest pair of the chain, not rotated again.
        let newest = presented;
        for (let s = state; s.usedAt !== undefined && s.successor !== undefined; ) {
          newest = s.successor;
          s = refreshTokens.get(newest) as RefreshTokenState;
        }
        const newestState = refreshTokens.get(newest) as RefreshTokenState;
        if (accessExpired(accessTokens.get(newestState.access) as AccessTokenState)) newestState.access = newAccessToken(newestState.grant);
        graceRefreshes++;
        answer(tokenResponse(newestState.grant, newestState.access, newest));
        return;
      }
      default:
        tokenError(400, 'unsupported_grant_type', `grant_type ${String(form.get('grant_type'))} is not supported`);
    }
  }

  // ---- the server -----------------------------------------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    const requestUrl = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = requestUrl.pathname;
    const lower = path.toLowerCase();
    const kind: FakeRequestLogEntry['kind'] = lower.startsWith(API_PREFIX)
      ? 'api'
      : lower === '/connections' || lower.startsWith('/connections/')
        ? 'connections'
        : lower === '/connect/token'
          ? 'token'
          : 'authorize';
    const entry: FakeRequestLogEntry = {
      kind,
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(requestUrl.searchParams),
      headers: loggableHeaders(req.headers),
      status: 0,
      startedAt: Date.now(),
      finishedAt: 0,
    };
    log.push(entry);
    res.once('close', () => {
      entry.finishedAt = Date.now();
      entry.status = res.headersSent ? res.statusCode : 0;
    });
    const handle = async () => {
      if (kind === 'api') return handleApi(req, res, requestUrl, entry);
      if (kind === 'connections') return handleConnections(req, res, requestUrl, entry);
      if (kind === 'token') return handleToken(req, res, entry);
      if (lower === '/identity/connect/authorize' && req.method === 'GET') return handleAuthorize(res, requestUrl, entry);
      send(res, 404, NOT_FOUND_TEXT, {}, 'text/html; charset=utf-8');
    };
    handle().catch((error: unknown) => {
      send(res, 500, `fake Xero failed: ${error instanceof Error ? error.message : String(error)}`, {}, 'text/plain; charset=utf-8');
    });
  });

  const faults: FakeXeroFaults = {
    outage(ms, status = 503) {
      outageUntil = Date.now() + ms;
      outageStatus = status;
    },
    rateLimit(count, retryAfterSeconds = 1, problem = 'minute') {
      forced429 = count > 0 ? { count, retryAfterSeconds, problem } : undefined;
    },
    slow(ms, count = Number.POSITIVE_INFINITY) {
      slow = count > 0 ? { ms, remaining: count } : undefined;
    },
    expireAccessTokens() {
      for (const state of accessTokens.values()) state.forcedExpired = true;
    },
    invalidGrant(on = true) {
      invalidGrantOn = on;
    },
    dropConnections(count) {
      dropCount = Math.max(0, count);
    },
    clear() {
      outageUntil = 0;
      forced429 = undefined;
      slow = undefined;
      dropCount = 0;
      invalidGrantOn = false;
    },
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const fake: FakeXero = {
        url,
        clientId,
        clientSecret,
        webhookKey,
        addTenant(tenant = {}) {
          const tenantId = (tenant.tenantId ?? randomUUID()).toLowerCase();
          if (tenants.has(tenantId)) throw new Error(`fake Xero: tenant ${tenantId} already exists`);
          tenants.set(tenantId, {
            tenantId,
            tenantName: tenant.tenantName ?? `Demo Company ${tenants.size + 1}`,
            contacts: new TenantContacts(),
            minute: new SlidingWindow(limits.windowMs),
            day: new SlidingWindow(DAY_MS),
            inFlight: 0,
            maxInFlight: 0,
            maxInWindow: 0,
          });
          return tenantId;
        },
        issueTokens(tenantIds) {
          const ids = tenantIds.map((tenantId) => tenantOf(tenantId).tenantId);
          const grant: Grant = { clientId, tenantIds: ids, scope: DEFAULT_SCOPE, authEventId: randomUUID(), userId, authTime: now() };
          connect(ids, grant.authEventId);
          const pair = issuePair(grant);
          return tokenResponse(grant, pair.access, pair.refresh) as unknown as XeroTokenResponse;
        },
        upsertContact: (tenantId, contact) => tenantOf(tenantId).contacts.upsert(contact, now()),
        archiveContact: (tenantId, contactId) => tenantOf(tenantId).contacts.archive(contactId, now()),
        deleteContact: (tenantId, contactId) => tenantOf(tenantId).contacts.remove(contactId),
        seedContacts: (tenantId, count, make) => tenantOf(tenantId).contacts.seed(count, make, now()),
        contacts: (tenantId): XeroContactRecord[] => tenantOf(tenantId).contacts.list(),
        faults,
        log,
        maxInFlight: (tenantId) => tenants.get(tenantId.toLowerCase())?.maxInFlight ?? 0,
        maxInWindow: (tenantId) => tenants.get(tenantId.toLowerCase())?.maxInWindow ?? 0,
        get tokenRefreshes() {
          return tokenRefreshes;
        },
        set tokenRefreshes(value: number) {
          tokenRefreshes = value;
        },
        get graceRefreshes() {
          return graceRefreshes;
        },
        set graceRefreshes(value: number) {
          graceRefreshes = value;
        },
        signWebhook: (rawBody) => createHmac('sha256', webhookKey).update(rawBody).digest('base64'),
        close: () =>
          new Promise<void>((done) => {
            for (const handle of timers) {
              clearTimeout(handle.timer);
              handle.resolve();
            }
            timers.clear();
            server.close(() => done());
            server.closeAllConnections();
          }),
      };
      resolve(fake);
    });
  });
}
