/** The public types of the fake QuickBooks Online server (re-exported by `server.ts`). */

export interface QuickBooksFakeLimits {
  perMinute: number;
  windowMs: number;
  concurrent: number;
}

export interface QuickBooksFakeOptions {
  clientId?: string; // default 'fake-qbo-client-id'
  clientSecret?: string; // default 'fake-qbo-client-secret'
  limits?: Partial<QuickBooksFakeLimits>; // defaults 500, 60_000, 10
  accessTokenTtlSeconds?: number; // default 3600
  /** Clock for MetaData times, CDC look-back, token and code expiry; default Date.now. Rate limits use real time. */
  now?: () => number;
  cdcMaxObjects?: number; // default 1000
  cdcLookbackDays?: number; // default 30
  port?: number; // default 0
  verifierToken?: string; // webhook verifier token; default 'fake-qbo-verifier-token'
  /**
   * How long a rotated refresh token still works, in ms of the `now` clock. Default 0: a rotated token is refused at
   * once with invalid_grant (the strictest reading of Intuit's documentation; see server.ts).
   */
  refreshTokenGraceMs?: number;
}

export interface QboAddr {
  Id?: string;
  Line1?: string;
  Line2?: string;
  Line3?: string;
  City?: string;
  CountrySubDivisionCode?: string;
  PostalCode?: string;
  Country?: string;
}

export interface QboCustomerRecord {
  Id: string;
  SyncToken: string;
  Active: boolean;
  DisplayName: string;
  GivenName?: string;
  MiddleName?: string;
  FamilyName?: string;
  CompanyName?: string;
  Title?: string;
  Suffix?: string;
  PrimaryEmailAddr?: { Address: string };
  PrimaryPhone?: { FreeFormNumber: string };
  Mobile?: { FreeFormNumber: string };
  AlternatePhone?: { FreeFormNumber: string };
  Fax?: { FreeFormNumber: string };
  BillAddr?: QboAddr;
  ShipAddr?: QboAddr;
  Notes?: string;
  /** Epoch ms inside the fake; on the wire ISO 8601 in Pacific time with offset, to the second. */
  MetaData: { CreateTime: number; LastUpdatedTime: number };
}

/** What `upsertCustomer`/`seedCustomers` accept: any part of a record, MetaData times separately. */
export type QboCustomerInput = Partial<Omit<QboCustomerRecord, 'MetaData'>> & {
  MetaData?: Partial<QboCustomerRecord['MetaData']>;
};

export interface FakeRequestLogEntry {
  kind: 'api' | 'token' | 'authorize';
  method: string;
  path: string;
  query: Record<string, string>;
  realmId?: string;
  status: number; // 0 when the connection was dropped
  startedAt: number; // real Date.now()
  finishedAt: number;
  rejected?: 'rate-limit' | 'outage' | 'auth' | 'validation' | 'dropped';
}

export interface QboTokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  x_refresh_token_expires_in: number;
  token_type: 'bearer';
}

export interface FakeQuickBooksFaults {
  /** Every API call answers `status` (default 503) for `ms` of real time. */
  outage(ms: number, status?: number): void;
  /** The next `count` API calls get 429 with `Retry-After: retryAfterSeconds` (default 1). */
  rateLimit(count: number, retryAfterSeconds?: number): void;
  /** The next `count` API calls (every call when omitted) take `ms` longer, holding their concurrency slot. */
  slow(ms: number, count?: number): void;
  /** Every access token issued so far is expired; new ones work. */
  expireAccessTokens(): void;
  /** While on, every grant at the token endpoint fails with 400 invalid_grant. */
  invalidGrant(on?: boolean): void;
  /** Destroys the socket of the next `count` API calls without an answer. */
  dropConnections(count: number): void;
  clear(): void;
}

export interface FakeQuickBooks {
  /** 'http://127.0.0.1:<port>': API under /v3/company/{realmId}/, POST /oauth2/v1/tokens/bearer, GET /connect/oauth2. */
  url: string;
  clientId: string;
  clientSecret: string;
  verifierToken: string;
  addRealm(realmId?: string): string;
  issueTokens(realmId: string): QboTokenResponse;
  upsertCustomer(realmId: string, customer: QboCustomerInput): QboCustomerRecord;
  deactivateCustomer(realmId: string, id: string): QboCustomerRecord;
  deleteCustomer(realmId: string, id: string): void;
  seedCustomers(realmId: string, count: number, make?: (i: number) => QboCustomerInput): void;
  customers(realmId: string): QboCustomerRecord[];
  faults: FakeQuickBooksFaults;
  log: FakeRequestLogEntry[];
  maxInFlight(realmId: string): number;
  maxInWindow(realmId: string): number;
  tokenRefreshes: number;
  close(): Promise<void>;
}
