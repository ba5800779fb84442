/**
 * A fake QuickBooks Online, owned by this project, for tests and benchmarks that drive the real node-quickbooks SDK
 * over real HTTP. One server on 127.0.0.1 answers:
 *
 *   GET  /v3/company/{realmId}/query?query=…        query language subset (see query.ts); POST with a text body too
 *   GET  /v3/company/{realmId}/cdc?entities=…&changedSince=…
 *   GET  /v3/company/{realmId}/customer/{id}
 *   POST /v3/company/{realmId}/customer[?operation=update]   create, full or sparse update, SyncToken checked
 *   POST /oauth2/v1/tokens/bearer                    authorization_code and refresh_token grants, HTTP Basic client auth
 *   GET  /connect/oauth2                             authorize: consents at once, 302 back with code, state, realmId
 *
 * Wire facts it reproduces (from Intuit's documentation and bodies users have posted from the live service):
 * - JSON only. Entity times are company local time with offset, to the second ("2015-07-24T10:33:39-07:00"); the
 *   companies here are in US Pacific time, so offsets change with daylight saving. The response `time` has ms.
 *   Every response carries an `intuit_tid` header.
 * - Errors are `{ Fault: { Error: [{ Message, Detail, code, element? }], type }, time }`: 400 ValidationFault for
 *   query errors (4000 QueryParserError, 4001 QueryValidationError), 610 Object Not Found, 5010 Stale Object Error,
 *   6240 Duplicate Name Exists Error (its Detail ends in "Id=<the other customer>"), 2020 required value missing,
 *   2010 invalid property, 2050 string too long; 401 AUTHENTICATION 3200 for an expired or unknown token, 401
 *   AuthenticationFault 100 for a token of another company; 429 SERVICE 3001 ThrottleExceeded.
 * - Limits per company: `perMinute` requests started in any sliding `windowMs`, `concurrent` in flight. A refused
 *   call takes no quota. The 429 carries `Retry-After` (whole seconds until a slot frees; 1 for the concurrency
 *   limit). Real QBO is not documented to send Retry-After (and has answered throttling with XML bodies): clients
 *   must cope without it.
 * - Query: without an Active condition only active customers come back; MAXRESULTS defaults to 100 and may not exceed
 *   1000; `maxResults` in the answer is the number of entities returned; an empty answer is `QueryResponse: {}`.
 * - CDC: at most `cdcLookbackDays` back (400 otherwise), inactive customers included, hard-deleted ones as
 *   `{ domain, status: 'Deleted', Id, MetaData: { LastUpdatedTime } }` after the others (Intuit: "objects deleted
 *   within the look-back period are returned after active objects"), silently cut at `cdcMaxObjects`, no paging.
 *   The query string is decoded as a form, so a `+` in an unencoded offset becomes a space and the date is refused:
 *   node-quickbooks concatenates changedSince into the URL unencoded, so pass a UTC string ending in Z.
 * - OAuth: access tokens live `accessTokenTtlSeconds`; every refresh returns a new refresh token and the old one is
 *   refused (400 `{"error":"invalid_grant"}`) after `refreshTokenGraceMs` (default 0). Intuit documents both "your
 *   previous refresh tokens expire 24 hours after you receive a new one" and "if a new Refresh Token is returned,
 *   the previous one expires", and in practice returns the same value for 24-26 h; the fake rotates every time and
 *   has no grace by default, the strictest reading, so a client that fails to store the newest token is caught.
 *   A wrong client id or secret gets 401 `{"error":"invalid_client"}`.
 *
 * Simplifications: customers only (queries on other entities are valid and empty); DisplayName uniqueness is checked
 * among customers only, trimmed and case-insensitively; QBO renames a customer made inactive to "<name> (deleted)"
 * and cannot hard-delete customers through the API, the fake does neither (deleteCustomer is a test hook).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseQuery, QueryError, runQuery } from './query';
import { CustomerStore, derivedDisplayName, firstIndex } from './store';
import { formatQboDateTime, formatQboResponseTime, parseQboDateTime, wireSecond } from './time';
import type {
  FakeQuickBooks,
  FakeRequestLogEntry,
  QboAddr,
  QboCustomerInput,
  QboCustomerRecord,
  QboTokenResponse,
  QuickBooksFakeLimits,
  QuickBooksFakeOptions,
} from './types';

export type {
  FakeQuickBooks,
  FakeQuickBooksFaults,
  FakeRequestLogEntry,
  QboAddr,
  QboCustomerInput,
  QboCustomerRecord,
  QboTokenResponse,
  QuickBooksFakeLimits,
  QuickBooksFakeOptions,
} from './types';

const REFRESH_TOKEN_TTL_SECONDS = 8_726_400; // what Intuit answers in x_refresh_token_expires_in (101 days)
const AUTHORIZATION_CODE_TTL_MS = 5 * 60_000;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const DAY_MS = 86_400_000;

/** The `intuit-signature` header QBO puts on a webhook: base64 HMAC-SHA256 of the raw body, keyed by the verifier. */
export function signQuickBooksWebhook(rawBody: string | Buffer, verifierToken: string): string {
  return createHmac('sha256', verifierToken).update(rawBody).digest('base64');
}

// --------------------------------------------------------------------------------------------------------------
// Faults on the wire

interface FaultError {
  Message: string;
  Detail: string;
  code: string;
  element?: string;
}

class ApiFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly error: FaultError,
  ) {
    super(error.Message);
  }
}

const validation = (error: FaultError) => new ApiFault(400, 'ValidationFault', { ...error, element: error.element ?? '' });

const objectNotFound = () =>
  validation({
    Message: 'Object Not Found',
    Detail: "Object Not Found : Something you're trying to use has been made inactive or deleted. Check the fields with accounts, customers, items, vendors or employees.",
    code: '610',
  });

const invalidProperty = (name: string) =>
  validation({
    Message: 'Request has invalid or unsupported property',
    Detail: `Property Name:${name} specified is unsupported or invalid`,
    code: '2010',
  });

const requiredMissing = (name: string) =>
  validation({
    Message: 'Required param missing, need to supply the required value for the API',
    Detail: `Required parameter ${name} is missing in the request`,
    code: '2020',
  });

const THROTTLE_ERROR: FaultError = {
  Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
  Detail: 'The request limit was reached.  Try again later',
  code: '3001',
};

// --------------------------------------------------------------------------------------------------------------
// Customers on the wire

const TEXT_LIMITS: Record<string, number> = {
  Title: 16,
  GivenName: 100,
  MiddleName: 100,
  FamilyName: 100,
  Suffix: 16,
  CompanyName: 100,
  DisplayName: 500,
  Notes: 2000,
};
const OPTIONAL_FIELDS = [
  'GivenName', 'MiddleName', 'FamilyName', 'CompanyName', 'Title', 'Suffix', 'PrimaryEmailAddr', 'PrimaryPhone', 'Mobile',
  'AlternatePhone', 'Fax', 'BillAddr', 'ShipAddr', 'Notes',
] as const;
const TEXT_FIELDS = ['DisplayName', 'GivenName', 'MiddleName', 'FamilyName', 'CompanyName', 'Title', 'Suffix', 'Notes'] as const;
const PHONE_FIELDS = ['PrimaryPhone', 'Mobile', 'AlternatePhone', 'Fax'] as const;
const ADDR_FIELDS = ['BillAddr', 'ShipAddr'] as const;
const ADDR_LIMITS: Record<keyof QboAddr, number> = {
  Id: 50,
  Line1: 500,
  Line2: 500,
  Line3: 500,
  City: 255,
  CountrySubDivisionCode: 255,
  PostalCode: 30,
  Country: 255,
};

function tooLong(element: string, max: number, length: number): ApiFault {
  return validation({
    Message: 'String length is either shorter or longer than supported by specification',
    Detail: `String length specified does not match the supported length. Min:0 Max:${max} supplied length:${length}`,
    code: '2050',
    element,
  });
}

function text(value: unknown, element: string, max: number): string {
  if (typeof value !== 'string') throw invalidProperty(element);
  if (value.length > max) throw tooLong(element, max, value.length);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The writable Customer fields of a request body, checked. Read-only and unknown fields are ignored, as QBO does. */
function writableFields(body: Record<string, unknown>): QboCustomerInput {
  const out: QboCustomerInput = {};
  for (const f of TEXT_FIELDS) {
    if (body[f] !== undefined && body[f] !== null) out[f] = text(body[f], f, TEXT_LIMITS[f] as number);
  }
  if (body.Active !== undefined && body.Active !== null) {
    const a = body.Active;
    if (typeof a === 'boolean') out.Active = a;
    else if (a === 'true' || a === 'false') out.Active = a === 'true';
    else throw invalidProperty('Active');
  }
  if (body.PrimaryEmailAddr !== undefined && body.PrimaryEmailAddr !== null) {
    if (!isObject(body.PrimaryEmailAddr)) throw invalidProperty('PrimaryEmailAddr');
    out.PrimaryEmailAddr = { Address: text(body.PrimaryEmailAddr.Address ?? '', 'PrimaryEmailAddr.Address', 100) };
  }
  for (const f of PHONE_FIELDS) {
    const v = body[f];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw invalidProperty(f);
    out[f] = { FreeFormNumber: text(v.FreeFormNumber ?? '', `${f}.FreeFormNumber`, 30) };
  }
  for (const f of ADDR_FIELDS) {
    const v = body[f];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw invalidProperty(f);
    const addr: QboAddr = {};
    for (const [k, max] of Object.entries(ADDR_LIMITS) as [keyof QboAddr, number][]) {
      if (v[k] !== undefined && v[k] !== null) addr[k] = text(String(v[k]), `${f}.${k}`, max);
    }
    out[f] = addr;
  }
  return out;
}

const WIRE_CONSTANTS =
  '"Job":false,"BillWithParent":false,"Balance":0,"BalanceWithJobs":0,' +
  '"CurrencyRef":{"value":"USD","name":"United States Dollar"},"PreferredDeliveryMethod":"Print","IsProject":false,' +
  '"domain":"QBO","sparse":false,';

const json = JSON.stringify;

/**
 * A customer's wire JSON, in QBO's field order, absent fields left out; made once per record (records are immutable:
 * a change makes a new object). Written by hand because 100,000 of them go out in a full read.
 */
const wireCache = new WeakMap<QboCustomerRecord, string>();
function wireJson(c: QboCustomerRecord): string {
  const cached = wireCache.get(c);
  if (cached !== undefined) return cached;
  let s = '{"Taxable":false,';
  if (c.BillAddr !== undefined) s += `"BillAddr":${json(c.BillAddr)},`;
  if (c.ShipAddr !== undefined) s += `"ShipAddr":${json(c.ShipAddr)},`;
  if (c.Notes !== undefined) s += `"Notes":${json(c.Notes)},`;
  s += WIRE_CONSTANTS;
  s += `"Id":${json(c.Id)},"SyncToken":${json(c.SyncToken)},`;
  s += `"MetaData":{"CreateTime":"${formatQboDateTime(c.MetaData.CreateTime)}","LastUpdatedTime":"${formatQboDateTime(c.MetaData.LastUpdatedTime)}"},`;
  if (c.Title !== undefined) s += `"Title":${json(c.Title)},`;
  if (c.GivenName !== undefined) s += `"GivenName":${json(c.GivenName)},`;
  if (c.MiddleName !== undefined) s += `"MiddleName":${json(c.MiddleName)},`;
  if (c.FamilyName !== undefined) s += `"FamilyName":${json(c.FamilyName)},`;
  if (c.Suffix !== undefined) s += `"Suffix":${json(c.Suffix)},`;
  const name = json(c.DisplayName);
  s += `"FullyQualifiedName":${name},`;
  if (c.CompanyName !== undefined) s += `"CompanyName":${json(c.CompanyName)},`;
  s += `"DisplayName":${name},"PrintOnCheckName":${c.CompanyName !== undefined ? json(c.CompanyName) : name},"Active":${c.Active ? 'true' : 'false'}`;
  if (c.PrimaryPhone !== undefined) s += `,"PrimaryPhone":${json(c.PrimaryPhone)}`;
  if (c.Mobile !== undefined) s += `,"Mobile":${json(c.Mobile)}`;
  if (c.AlternatePhone !== undefined) s += `,"AlternatePhone":${json(c.AlternatePhone)}`;
  if (c.Fax !== undefined) s += `,"Fax":${json(c.Fax)}`;
  if (c.PrimaryEmailAddr !== undefined) s += `,"PrimaryEmailAddr":${json(c.PrimaryEmailAddr)}`;
  s += '}';
  wireCache.set(c, s);
  return s;
}

/** A JSON answer already serialised. */
class RawJson {
  constructor(readonly text: string) {}
}

function copyRecord(c: QboCustomerRecord): QboCustomerRecord {
  return { ...c, MetaData: { ...c.MetaData } };
}

// --------------------------------------------------------------------------------------------------------------
// State

interface Realm {
  id: string;
  store: CustomerStore;
  /** Start times (performance.now) of accepted calls inside the current window, oldest first. */
  starts: number[];
  inFlight: number;
  maxInFlight: number;
  maxInWindow: number;
}

interface AccessToken {
  realmId: string;
  expiresAt: number;
}

interface RefreshToken {
  realmId: string;
  expiresAt: number;
  rotatedAt?: number;
}

interface AuthorizationCode {
  realmId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

function opaque(prefix: string, bytes = 24): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

function intuitTid(): string {
  return `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 24).toUpperCase();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startFakeQuickBooks(options: QuickBooksFakeOptions = {}): Promise<FakeQuickBooks> {
  const clientId = options.clientId ?? 'fake-qbo-client-id';
  const clientSecret = options.clientSecret ?? 'fake-qbo-client-secret';
  const verifierToken = options.verifierToken ?? 'fake-qbo-verifier-token';
  const limits: QuickBooksFakeLimits = { perMinute: 500, windowMs: 60_000, concurrent: 10, ...options.limits };
  const accessTtlSeconds = options.accessTokenTtlSeconds ?? 3600;
  const now = options.now ?? Date.now;
  const cdcMaxObjects = options.cdcMaxObjects ?? 1000;
  const cdcLookbackDays = options.cdcLookbackDays ?? 30;
  const refreshGraceMs = options.refreshTokenGraceMs ?? 0;

  const realms = new Map<string, Realm>();
  const accessTokens = new Map<string, AccessToken>();
  const refreshTokens = new Map<string, RefreshToken>();
  const codes = new Map<string, AuthorizationCode>();
  const log: FakeRequestLogEntry[] = [];
  let tokenRefreshes = 0;
  let realmSerial = Number.parseInt(randomBytes(3).toString('hex'), 16) % 1_000_000;

  const faults = {
    outageUntil: 0,
    outageStatus: 503,
    rateLimitCount: 0,
    rateLimitRetryAfter: 1,
    slowMs: 0,
    slowCount: 0, // -1: every call
    invalidGrant: false,
    dropCount: 0,
  };

  const realmOf = (realmId: string): Realm => {
    const realm = realms.get(realmId);
    if (!realm) throw new Error(`fake QuickBooks has no realm ${realmId}`);
    return realm;
  };

  const addRealm = (realmId?: string): string => {
    let id = realmId;
    if (id === undefined) {
      do id = `9341452${String(realmSerial++ % 1_000_000_000).padStart(9, '0')}`;
      while (realms.has(id));
    }
    if (!realms.has(id)) realms.set(id, { id, store: new CustomerStore(), starts: [], inFlight: 0, maxInFlight: 0, maxInWindow: 0 });
    return id;
  };

  const issueTokens = (realmId: string): QboTokenResponse => {
    realmOf(realmId);
    const access_token = opaque('fake-qbo-at.', 48);
    const refresh_token = opaque('RT1-fake-');
    accessTokens.set(access_token, { realmId, expiresAt: now() + accessTtlSeconds * 1000 });
    refreshTokens.set(refresh_token, { realmId, expiresAt: now() + REFRESH_TOKEN_TTL_SECONDS * 1000 });
    return { token_type: 'bearer', access_token, refresh_token, expires_in: accessTtlSeconds, x_refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS };
  };

  // ---- harness-side data hooks --------------------------------------------------------------------------------

  const newRecord = (store: CustomerStore, input: QboCustomerInput): QboCustomerRecord => {
    const id = input.Id ?? store.newId();
    const updated = input.MetaData?.LastUpdatedTime ?? now();
    // Built field by field rather than spread: one object shape for every record keeps 100,000 fast.
    const record: QboCustomerRecord = {
      Id: id,
      SyncToken: input.SyncToken ?? '0',
      Active: input.Active ?? true,
      DisplayName: input.DisplayName ?? (derivedDisplayName(input) || `Customer ${id}`),
      MetaData: { CreateTime: input.MetaData?.CreateTime ?? updated, LastUpdatedTime: updated },
    };
    const target = record as unknown as Record<string, unknown>;
    for (const key of OPTIONAL_FIELDS) if (input[key] !== undefined) target[key] = input[key];
    return record;
  };

  const upsertCustomer = (realmId: string, input: QboCustomerInput): QboCustomerRecord => {
    const store = realmOf(realmId).store;
    const old = input.Id !== undefined ? store.byId.get(input.Id) : undefined;
    if (!old) return copyRecord(store.put(newRecord(store, input)));
    const next: QboCustomerRecord = {
      ...old,
      ...input,
      Id: old.Id,
      SyncToken: String(Number(old.SyncToken) + 1),
      Active: input.Active ?? old.Active,
      DisplayName: input.DisplayName ?? old.DisplayName,
      MetaData: {
        CreateTime: input.MetaData?.CreateTime ?? old.MetaData.CreateTime,
        LastUpdatedTime: input.MetaData?.LastUpdatedTime ?? now(),
      },
    };
    return copyRecord(store.put(next));
  };

  const deactivateCustomer = (realmId: string, id: string): QboCustomerRecord => {
    const store = realmOf(realmId).store;
    const old = store.byId.get(id);
    if (!old) throw new Error(`fake QuickBooks realm ${realmId} has no customer ${id}`);
    return copyRecord(
      store.put({ ...old, Active: false, SyncToken: String(Number(old.SyncToken) + 1), MetaData: { ...old.MetaData, LastUpdatedTime: now() } }),
    );
  };

  const seedCustomers = (realmId: string, count: number, make?: (i: number) => QboCustomerInput): void => {
    const store = realmOf(realmId).store;
    const records: QboCustomerRecord[] = new Array<QboCustomerRecord>(count);
    for (let i = 0; i < count; i++) records[i] = newRecord(store, make ? make(i) : {});
    store.putMany(records);
  };

  // ---- HTTP ---------------------------------------------------------------------------------------------------

  /** Log entries by response, so the status is recorded the moment the answer is written. */
  const entries = new WeakMap<http.ServerResponse, FakeRequestLogEntry>();

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (res.destroyed || res.headersSent) return;
    const entry = entries.get(res);
    if (entry) {
      entry.status = status;
      entry.finishedAt = Date.now();
    }
    const payload = body instanceof RawJson ? body.text : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/html;charset=UTF-8' : 'application/json;charset=UTF-8',
      'content-length': String(Buffer.byteLength(payload)),
      intuit_tid: intuitTid(),
      ...headers,
    });
    res.end(payload);
  };

  const sendFault = (res: http.ServerResponse, fault: ApiFault, headers: Record<string, string> = {}): void => {
    send(res, fault.status, { Fault: { Error: [fault.error], type: fault.type }, time: formatQboResponseTime(now()) }, headers);
  };

  const readBody = (req: http.IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          reject(invalidProperty('body'));
          req.destroy();
        } else {
          chunks.push(chunk);
        }
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const startEntry = (kind: FakeRequestLogEntry['kind'], req: http.IncomingMessage, url: URL, res: http.ServerResponse): FakeRequestLogEntry => {
    const entry: FakeRequestLogEntry = {
      kind,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      startedAt: Date.now(),
      finishedAt: 0,
    };
    log.push(entry);
    entries.set(res, entry);
    res.on('close', () => {
      if (res.headersSent) entry.status = res.statusCode;
      entry.finishedAt = Date.now();
    });
    return entry;
  };

  /** Authenticates a company API call; returns the realm or answers 401. */
  const authenticate = (req: http.IncomingMessage, realmId: string): Realm | ApiFault => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const authFailed = (detail: string) =>
      new ApiFault(401, 'AUTHENTICATION', { Message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', Detail: detail, code: '3200' });
    if (!match) return authFailed('Authorization header missing or not a bearer token');
    const token = accessTokens.get(match[1] as string);
    if (!token) return authFailed(`Token invalid: ${fingerprint(match[1] as string)}`);
    if (token.expiresAt <= now()) return authFailed(`Token expired: ${fingerprint(match[1] as string)}`);
    const realm = realms.get(realmId);
    if (token.realmId !== realmId || !realm) {
      return new ApiFault(401, 'AuthenticationFault', {
        Message: 'General Authentication Error',
        Detail: 'AuthenticationErrorGeneral: SRV-110-Authentication Failure , statusCode: 401',
        code: '100',
      });
    }
    return realm;
  };

  const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, realmId: string, rest: string): Promise<void> => {
    const entry = startEntry('api', req, url, res);
    entry.realmId = realmId;
    if (faults.dropCount > 0) {
      faults.dropCount--;
      entry.rejected = 'dropped';
      req.socket.destroy();
      return;
    }
    if (Date.now() < faults.outageUntil) {
      entry.rejected = 'outage';
      const status = faults.outageStatus;
      if (status === 500) {
        sendFault(
          res,
          new ApiFault(500, 'SystemFault', {
            Message: 'An application error has occurred while processing your request',
            Detail: 'System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again. If the problem persists, contact customer support.',
            code: '10000',
          }),
        );
      } else {
        const reason = http.STATUS_CODES[status] ?? 'Error';
        send(res, status, `<html><head><title>${status} ${reason}</title></head><body><h1>${status} ${reason}</h1></body></html>`);
      }
      return;
    }
    if (faults.rateLimitCount > 0) {
      faults.rateLimitCount--;
      entry.rejected = 'rate-limit';
      sendFault(res, new ApiFault(429, 'SERVICE', THROTTLE_ERROR), { 'retry-after': String(faults.rateLimitRetryAfter) });
      return;
    }
    const realm = authenticate(req, realmId);
    if (realm instanceof ApiFault) {
      entry.rejected = 'auth';
      sendFault(res, realm);
      return;
    }

    // Limits: a sliding window of starts and a count in flight, per company.
    const t = performance.now();
    while (realm.starts.length > 0 && (realm.starts[0] as number) <= t - limits.windowMs) realm.starts.shift();
    if (realm.starts.length >= limits.perMinute || realm.inFlight >= limits.concurrent) {
      entry.rejected = 'rate-limit';
      const retryAfter =
        realm.starts.length >= limits.perMinute ? Math.max(1, Math.ceil(((realm.starts[0] as number) + limits.windowMs - t) / 1000)) : 1;
      sendFault(res, new ApiFault(429, 'SERVICE', THROTTLE_ERROR), { 'retry-after': String(retryAfter) });
      return;
    }
    realm.starts.push(t);
    realm.maxInWindow = Math.max(realm.maxInWindow, realm.starts.length);
    realm.inFlight++;
    realm.maxInFlight = Math.max(realm.maxInFlight, realm.inFlight);
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        realm.inFlight--;
      }
    };
    res.on('close', release);

    try {
      if (faults.slowCount !== 0) {
        if (faults.slowCount > 0) faults.slowCount--;
        await sleep(faults.slowMs);
      }
      const body = req.method === 'POST' ? await readBody(req) : '';
      const answer = route(realm, req.method ?? 'GET', rest, url.searchParams, body);
      send(res, 200, answer);
    } catch (err) {
      if (!(err instanceof ApiFault)) throw err;
      if (err.status === 400) entry.rejected = 'validation';
      sendFault(res, err);
    } finally {
      // The response may outlive a destroyed socket; never hold the slot past the answer.
      if (res.writableEnded || res.destroyed) release();
    }
  };

  const route = (realm: Realm, method: string, rest: string, params: URLSearchParams, body: string): RawJson => {
    const time = JSON.stringify(formatQboResponseTime(now()));
    const parts = rest.split('/').filter(Boolean);
    const resource = (parts[0] ?? '').toLowerCase();
    if (resource === 'query' && (method === 'GET' || method === 'POST')) {
      const sql = method === 'GET' ? (params.get('query') ?? '') : body || (params.get('query') ?? '');
      return new RawJson(`{"QueryResponse":${query(realm, sql)},"time":${time}}`);
    }
    if (resource === 'cdc' && method === 'GET') {
      return new RawJson(`{"CDCResponse":[{"QueryResponse":[${cdc(realm, params).join(',')}]}],"time":${time}}`);
    }
    if (resource === 'customer' && method === 'GET' && parts.length === 2) {
      const c = realm.store.byId.get(decodeURIComponent(parts[1] as string));
      if (!c) throw objectNotFound();
      return new RawJson(`{"Customer":${wireJson(c)},"time":${time}}`);
    }
    if (resource === 'customer' && method === 'POST' && parts.length === 1) {
      return new RawJson(`{"Customer":${wireJson(writeCustomer(realm, params, body))},"time":${time}}`);
    }
    throw new ApiFault(method === 'GET' || method === 'POST' ? 400 : 405, 'ValidationFault', {
      Message: 'Unsupported Operation',
      Detail: `Operation ${method} ${rest} is not supported by this fake.`,
      code: '500',
      element: '',
    });
  };

  /** The QueryResponse object, as JSON. */
  const query = (realm: Realm, sql: string): string => {
    let result;
    try {
      result = runQuery(realm.store, parseQuery(sql));
    } catch (err) {
      if (err instanceof QueryError) throw validation({ Message: err.message, Detail: err.detail, code: err.code });
      throw err;
    }
    if (result.kind === 'count') return JSON.stringify({ totalCount: result.totalCount });
    if (result.records.length === 0) return '{}';
    const list = result.records.map(wireJson).join(',');
    return `{${JSON.stringify(result.entity)}:[${list}],"startPosition":${result.startPosition},"maxResults":${result.records.length}}`;
  };

  /** One JSON object per entity asked for: its changes, or {} when it has none. */
  const cdc = (realm: Realm, params: URLSearchParams): string[] => {
    const entities = params.get('entities');
    const changedSince = params.get('changedSince');
    if (!entities) throw requiredMissing('entities');
    if (!changedSince) throw requiredMissing('changedSince');
    const since = parseQboDateTime(changedSince);
    if (since === undefined) throw invalidProperty('changedSince');
    if (since < now() - cdcLookbackDays * DAY_MS) {
      throw validation({
        Message: 'Request has invalid or unsupported property',
        Detail: `Operation cdc with changedSince date ${changedSince} which is older than ${cdcLookbackDays} days is not supported.`,
        code: '2010',
      });
    }
    let budget = cdcMaxObjects;
    return entities.split(',').map((raw) => {
      if (raw.trim().toLowerCase() !== 'customer') return '{}';
      const store = realm.store;
      const out: string[] = [];
      const from = firstIndex(store.rows, (r) => wireSecond(r.MetaData.LastUpdatedTime) >= since);
      for (let i = from; i < store.rows.length && out.length < budget; i++) out.push(wireJson(store.rows[i] as QboCustomerRecord));
      const gone = firstIndex(store.deleted, (d) => wireSecond(d.LastUpdatedTime) >= since);
      for (let i = gone; i < store.deleted.length && out.length < budget; i++) {
        const d = store.deleted[i] as { Id: string; LastUpdatedTime: number };
        out.push(JSON.stringify({ domain: 'QBO', status: 'Deleted', Id: d.Id, MetaData: { LastUpdatedTime: formatQboDateTime(d.LastUpdatedTime) } }));
      }
      budget -= out.length;
      return out.length === 0 ? '{}' : `{"Customer":[${out.join(',')}],"startPosition":1,"maxResults":${out.length}}`;
    });
  };

  const writeCustomer = (realm: Realm, params: URLSearchParams, bodyText: string): QboCustomerRecord => {
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch (err) {
      throw invalidProperty(`body (${(err as Error).message})`);
    }
    if (isObject(body) && isObject(body.Customer)) body = body.Customer;
    if (!isObject(body)) throw invalidProperty('Customer');
    const operation = params.get('operation');
    if (operation !== null && operation.toLowerCase() !== 'update') {
      throw validation({ Message: 'Unsupported Operation', Detail: `Operation ${operation} is not supported.`, code: '500' });
    }
    const store = realm.store;
    const fields = writableFields(body);
    const at = now();
    let next: QboCustomerRecord;
    if (body.Id !== undefined || operation !== null) {
      if (body.Id === undefined || body.Id === null || body.Id === '') throw requiredMissing('Id');
      const old = store.byId.get(String(body.Id));
      if (!old) throw objectNotFound();
      if (body.SyncToken === undefined || body.SyncToken === null || body.SyncToken === '') throw requiredMissing('SyncToken');
      if (String(body.SyncToken) !== old.SyncToken) {
        throw validation({
          Message: 'Stale Object Error',
          Detail: 'Stale Object Error : You and someone else were working on this at the same time. They finished before you did, so your work was not saved.',
          code: '5010',
          element: 'SyncToken',
        });
      }
      const sparse = body.sparse === true || body.sparse === 'true';
      const base: QboCustomerInput = sparse ? { ...old } : { Active: true };
      const merged = { ...base, ...fields };
      const displayName = merged.DisplayName ?? derivedDisplayName(merged);
      if (!displayName) throw requiredMissing('DisplayName');
      next = {
        ...merged,
        Id: old.Id,
        SyncToken: String(Number(old.SyncToken) + 1),
        Active: merged.Active ?? true,
        DisplayName: displayName,
        MetaData: { CreateTime: old.MetaData.CreateTime, LastUpdatedTime: at },
      };
    } else {
      const displayName = fields.DisplayName ?? derivedDisplayName(fields);
      if (!displayName.trim()) throw requiredMissing('DisplayName (or one of Title, GivenName, MiddleName, FamilyName, Suffix)');
      for (const f of ADDR_FIELDS) {
        const addr = fields[f];
        if (addr && addr.Id === undefined) addr.Id = store.newAddrId();
      }
      next = {
        ...fields,
        Id: store.newId(),
        SyncToken: '0',
        Active: fields.Active ?? true,
        DisplayName: displayName,
        MetaData: { CreateTime: at, LastUpdatedTime: at },
      };
    }
    const owner = store.nameOwner(next.DisplayName, next.Id);
    if (owner !== undefined) {
      throw validation({ Message: 'Duplicate Name Exists Error', Detail: `The name supplied already exists. : Id=${owner}`, code: '6240' });
    }
    return store.put(next);
  };

  // ---- OAuth --------------------------------------------------------------------------------------------------

  const handleToken = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const entry = startEntry('token', req, url, res);
    const refuse = (status: number, error: string) => {
      entry.rejected = 'auth';
      send(res, status, { error }, { 'cache-control': 'no-store' });
    };
    if (req.method !== 'POST') {
      refuse(405, 'invalid_request');
      return;
    }
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const credentials = basic ? Buffer.from(basic[1] as string, 'base64').toString('utf8') : '';
    const body = await readBody(req);
    if (credentials !== `${clientId}:${clientSecret}`) {
      refuse(401, 'invalid_client');
      return;
    }
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      refuse(400, 'invalid_request');
      return;
    }
    const form = new URLSearchParams(body);
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const rt = refreshTokens.get(presented);
      if (rt) entry.realmId = rt.realmId;
      if (!presented) return refuse(400, 'invalid_request');
      if (faults.invalidGrant || !rt || rt.expiresAt <= now() || (rt.rotatedAt !== undefined && now() >= rt.rotatedAt + refreshGraceMs)) {
        return refuse(400, 'invalid_grant');
      }
      rt.rotatedAt ??= now();
      tokenRefreshes++;
      send(res, 200, issueTokens(rt.realmId), { 'cache-control': 'no-store' });
      return;
    }
    if (grant === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      if (!form.get('code') || !form.get('redirect_uri')) return refuse(400, 'invalid_request');
      if (code) entry.realmId = code.realmId;
      if (faults.invalidGrant || !code || code.used || code.expiresAt <= now() || code.redirectUri !== form.get('redirect_uri')) {
        if (code) code.used = true;
        return refuse(400, 'invalid_grant');
      }
      code.used = true;
      send(res, 200, issueTokens(code.realmId), { 'cache-control': 'no-store' });
      return;
    }
    refuse(400, grant ? 'unsupported_grant_type' : 'invalid_request');
  };

  const handleAuthorize = (req: http.IncomingMessage, res: http.ServerResponse, url: URL): void => {
    const entry = startEntry('authorize', req, url, res);
    const p = url.searchParams;
    const fail = (error: string) => {
      entry.rejected = 'auth';
      send(res, 400, `<html><body><h1>${error}</h1></body></html>`);
    };
    if (p.get('client_id') !== clientId) return fail('invalid_client');
    if (p.get('response_type') !== 'code') return fail('unsupported_response_type');
    if (!p.get('scope')) return fail('invalid_scope');
    const redirectUri = p.get('redirect_uri');
    let target: URL;
    try {
      target = new URL(redirectUri ?? '');
    } catch {
      return fail('invalid_redirect_uri');
    }
    const realmId = realms.keys().next().value ?? addRealm();
    entry.realmId = realmId;
    const code = opaque('AB11fake', 24);
    codes.set(code, { realmId, redirectUri: redirectUri as string, expiresAt: now() + AUTHORIZATION_CODE_TTL_MS, used: false });
    target.searchParams.set('code', code);
    const state = p.get('state');
    if (state !== null) target.searchParams.set('state', state);
    target.searchParams.set('realmId', realmId);
    entry.status = 302;
    entry.finishedAt = Date.now();
    res.writeHead(302, { location: target.toString(), 'content-length': '0', intuit_tid: intuitTid() });
    res.end();
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = /^\/v3\/company\/([^/]+)(\/.*)?$/.exec(url.pathname);
    let work: Promise<void> | void;
    if (api) work = handleApi(req, res, url, decodeURIComponent(api[1] as string), api[2] ?? '/');
    else if (url.pathname === '/oauth2/v1/tokens/bearer') work = handleToken(req, res, url);
    else if (url.pathname === '/connect/oauth2' && req.method === 'GET') work = handleAuthorize(req, res, url);
    else work = send(res, 404, { error: 'not_found' });
    Promise.resolve(work).catch((err: unknown) => {
      if (err instanceof ApiFault) sendFault(res, err);
      else send(res, 500, { error: 'fake_internal_error', message: err instanceof Error ? err.message : String(err) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    verifierToken,
    addRealm,
    issueTokens,
    upsertCustomer,
    deactivateCustomer,
    deleteCustomer(realmId, id) {
      realmOf(realmId).store.delete(id, now());
    },
    seedCustomers,
    customers(realmId) {
      return realmOf(realmId).store.rows.map(copyRecord);
    },
    faults: {
      outage(ms, status = 503) {
        faults.outageUntil = Date.now() + ms;
        faults.outageStatus = status;
      },
      rateLimit(count, retryAfterSeconds = 1) {
        faults.rateLimitCount = count;
        faults.rateLimitRetryAfter = retryAfterSeconds;
      },
      slow(ms, count) {
        faults.slowMs = ms;
        faults.slowCount = count ?? -1;
      },
      expireAccessTokens() {
        for (const token of accessTokens.values()) token.expiresAt = Number.NEGATIVE_INFINITY;
      },
      invalidGrant(on = true) {
        faults.invalidGrant = on;
      },
      dropConnections(count) {
        faults.dropCount = count;
      },
      clear() {
        Object.assign(faults, { outageUntil: 0, outageStatus: 503, rateLimitCount: 0, rateLimitRetryAfter: 1, slowMs: 0, slowCount: 0, invalidGrant: false, dropCount: 0 });
      },
    },
    log,
    maxInFlight: (realmId) => realmOf(realmId).maxInFlight,
    maxInWindow: (realmId) => realmOf(realmId).maxInWindow,
    get tokenRefreshes() {
      return tokenRefreshes;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
