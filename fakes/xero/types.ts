/**
 * The shapes of the fake Xero server (see server.ts). Kept apart so that data.ts and server.ts can share them without
 * importing each other.
 */

export interface XeroFakeLimits {
  /** Calls per tenant started in any sliding window of `windowMs` (Xero: 60 a minute). */
  perMinute: number;
  windowMs: number;
  /** Calls per tenant in flight at once (Xero: 5). */
  concurrent: number;
  /** Calls per tenant in any sliding 24 hours (Xero: 5,000; 1,000 on the Starter tier). */
  perDay: number;
  /** Calls across all tenants started in any sliding window of `windowMs` (Xero: 10,000 a minute). */
  appPerMinute: number;
}

export interface XeroFakeOptions {
  /** Default 'fake-xero-client-id'. */
  clientId?: string;
  /** Default 'fake-xero-client-secret'. */
  clientSecret?: string;
  /** Defaults 60, 60_000, 5, 5_000, 10_000. */
  limits?: Partial<XeroFakeLimits>;
  /** Default 1800. */
  accessTokenTtlSeconds?: number;
  /** How long a used refresh token keeps working; default 30 * 60_000. */
  refreshGraceMs?: number;
  /** Clock for UpdatedDateUTC, token and code expiry, connection dates; default Date.now. */
  now?: () => number;
  /** Default 0 (a free port). */
  port?: number;
  /** Default 'fake-xero-webhook-key'. */
  webhookKey?: string;
}

export interface XeroPhone {
  PhoneType: 'DEFAULT' | 'DDI' | 'MOBILE' | 'FAX';
  PhoneNumber?: string;
  PhoneAreaCode?: string;
  PhoneCountryCode?: string;
}

export interface XeroAddress {
  AddressType: 'POBOX' | 'STREET';
  AddressLine1?: string;
  AddressLine2?: string;
  AddressLine3?: string;
  AddressLine4?: string;
  City?: string;
  Region?: string;
  PostalCode?: string;
  Country?: string;
  AttentionTo?: string;
}

export interface XeroContactRecord {
  ContactID: string;
  ContactNumber?: string;
  AccountNumber?: string;
  ContactStatus: 'ACTIVE' | 'ARCHIVED' | 'GDPRREQUEST';
  Name: string;
  FirstName?: string;
  LastName?: string;
  EmailAddress?: string;
  CompanyNumber?: string;
  Addresses: XeroAddress[];
  Phones: XeroPhone[];
  IsSupplier: boolean;
  IsCustomer: boolean;
  /** ms since epoch inside the fake; rendered as "/Date(1718000000000+0000)/" on the wire. */
  UpdatedDateUTC: number;
}

export type FakeRejection = 'rate-limit' | 'outage' | 'auth' | 'validation' | 'dropped';

export interface FakeRequestLogEntry {
  kind: 'api' | 'token' | 'connections' | 'authorize';
  method: string;
  /** The path without the query string. */
  path: string;
  /** The query string's parameters (the token endpoint's form body is never logged). */
  query: Record<string, string>;
  /**
   * The request's headers, names in lower case, with the credentials of Authorization replaced by "[redacted]" (an
   * addition to the agreed shape: lets a test see what a client sent, If-Modified-Since say).
   */
  headers: Record<string, string>;
  /** The xero-tenant-id header of an API call. */
  tenantId?: string;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** Date.now() based (real time, not the `now` option). */
  startedAt: number;
  finishedAt: number;
  rejected?: FakeRejection;
}

export interface XeroTokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
}

export type RateLimitProblem = 'minute' | 'day' | 'concurrent';

export interface FakeXeroFaults {
  /** Every API and /connections call answers `status` (default 503) for `ms` (real time). */
  outage(ms: number, status?: number): void;
  /** The next `count` API calls get a 429 with this Retry-After (default 1 s) and X-Rate-Limit-Problem (default minute). */
  rateLimit(count: number, retryAfterSeconds?: number, problem?: RateLimitProblem): void;
  /** Delay the next `count` (default: all until clear) API answers by `ms`; an accepted call stays in flight meanwhile. */
  slow(ms: number, count?: number): void;
  /** Every access token issued so far is expired (401 TokenExpired); tokens issued later are not. */
  expireAccessTokens(): void;
  /** While on (default true), the token endpoint answers 400 {"error":"invalid_grant"} to every refresh_token grant. */
  invalidGrant(on?: boolean): void;
  /** Destroy the socket of the next `count` API calls without answering. */
  dropConnections(count: number): void;
  /** Ends every fault above (expired tokens stay expired). */
  clear(): void;
}

export interface FakeXero {
  /** 'http://127.0.0.1:<port>': /api.xro/2.0/..., GET /connections, POST /connect/token, GET /identity/connect/authorize. */
  url: string;
  clientId: string;
  clientSecret: string;
  webhookKey: string;
  /** Returns the tenantId (a uuid). A tenant is connected once tokens are issued or consent is given for it. */
  addTenant(tenant?: { tenantId?: string; tenantName?: string }): string;
  /** Tokens as if the OAuth consent had happened: valid for the given tenants. */
  issueTokens(tenantIds: string[]): XeroTokenResponse;
  /**
   * Creates (new ContactID when absent or unknown) or updates (the given fields over the stored ones) a contact.
   * UpdatedDateUTC = given or now(); ContactStatus defaults to 'ACTIVE'.
   */
  upsertContact(tenantId: string, contact: Partial<XeroContactRecord>): XeroContactRecord;
  /** ContactStatus ARCHIVED, UpdatedDateUTC = now(). */
  archiveContact(tenantId: string, contactId: string): XeroContactRecord;
  /** Gone from the API entirely (for "disappeared" detection). */
  deleteContact(tenantId: string, contactId: string): void;
  /** Adds `count` new contacts in one go (fast for 100,000); `make(i)` overrides the generated fields. */
  seedContacts(tenantId: string, count: number, make?: (i: number) => Partial<XeroContactRecord>): void;
  /** Copies of the tenant's contacts, ordered by (UpdatedDateUTC, ContactID). */
  contacts(tenantId: string): XeroContactRecord[];
  faults: FakeXeroFaults;
  log: FakeRequestLogEntry[];
  /** The most API calls of one tenant ever in flight at once. */
  maxInFlight(tenantId: string): number;
  /** The most API calls of one tenant accepted within any window of limits.windowMs. */
  maxInWindow(tenantId: string): number;
  /** Successful refresh_token grants that rotated the token (grace-period replays are counted in graceRefreshes). */
  tokenRefreshes: number;
  /** refresh_token grants answered from the grace period of an already used refresh token. */
  graceRefreshes: number;
  /** The base64 HMAC-SHA256 of a webhook body under webhookKey, as Xero sends it in x-xero-signature. */
  signWebhook(rawBody: string | Uint8Array): string;
  close(): Promise<void>;
}
