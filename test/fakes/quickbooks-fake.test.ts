import { createHmac } from 'node:crypto';
import QuickBooks, { type QueryCriteria } from 'node-quickbooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  signQuickBooksWebhook,
  startFakeQuickBooks,
  type FakeQuickBooks,
  type QboTokenResponse,
  type QuickBooksFakeOptions,
} from '../../fakes/quickbooks/server';

// ---- driving the real node-quickbooks SDK -------------------------------------------------------------------

/** What node-quickbooks hands its callbacks on an HTTP or network failure: an AxiosError. */
interface SdkHttpError {
  isAxiosError?: boolean;
  code?: string;
  response?: { status: number; data: unknown; headers: Record<string, string | undefined> };
}

interface Outcome {
  err: SdkHttpError | null;
  data: unknown;
  res: { status: number; headers: Record<string, string | undefined> } | undefined;
}

type Callback = (err: unknown, data?: unknown, res?: unknown) => void;

/** Runs one callback-style SDK call and collects its three callback arguments. */
function sdk(call: (cb: Callback) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    call((err, data, res) => resolve({ err: (err ?? null) as SdkHttpError | null, data, res: res as Outcome['res'] }));
  });
}

/** The statics are read when a client is made (V3_ENDPOINT_BASE_URL) or at each refresh (TOKEN_URL). */
function client(fake: FakeQuickBooks, realmId: string, tokens: QboTokenResponse, secret = fake.clientSecret): QuickBooks {
  QuickBooks.V3_ENDPOINT_BASE_URL = `${fake.url}/v3/company/`;
  QuickBooks.TOKEN_URL = `${fake.url}/oauth2/v1/tokens/bearer`;
  return new QuickBooks(fake.clientId, secret, tokens.access_token, false, realmId, true, false, '75', '2.0', tokens.refresh_token);
}

/** findCustomers with a string: node-quickbooks appends it to "select * from customer" (the types omit strings). */
function where(sql: string): QueryCriteria {
  return sql as unknown as QueryCriteria;
}

interface WireCustomer {
  Id: string;
  SyncToken: string;
  DisplayName: string;
  Active: boolean;
  domain?: string;
  status?: string;
  MetaData: { CreateTime?: string; LastUpdatedTime: string };
}

interface QueryBody {
  QueryResponse: { Customer?: WireCustomer[]; startPosition?: number; maxResults?: number; totalCount?: number };
  time: string;
}

interface CdcBody {
  CDCResponse: { QueryResponse: { Customer?: WireCustomer[]; startPosition?: number; maxResults?: number }[] }[];
  time: string;
}

interface FaultBody {
  Fault: { Error: { Message: string; Detail: string; code: string }[]; type: string };
  time: string;
}

function fault(err: SdkHttpError | null): { status: number | undefined; type: string; code: string; message: string; detail: string } {
  const body = err?.response?.data as FaultBody | undefined;
  const first = body?.Fault?.Error[0];
  return { status: err?.response?.status, type: body?.Fault?.type ?? '', code: first?.code ?? '', message: first?.Message ?? '', detail: first?.Detail ?? '' };
}

function query(o: Outcome): QueryBody['QueryResponse'] {
  expect(o.err).toBeNull();
  return (o.data as QueryBody).QueryResponse;
}

function cdcCustomers(o: Outcome): WireCustomer[] {
  expect(o.err).toBeNull();
  return (o.data as CdcBody).CDCResponse[0]?.QueryResponse[0]?.Customer ?? [];
}

const fakes: FakeQuickBooks[] = [];
async function start(options?: QuickBooksFakeOptions): Promise<FakeQuickBooks> {
  const fake = await startFakeQuickBooks(options);
  fakes.push(fake);
  return fake;
}
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

const JAN = Date.UTC(2026, 0, 15, 20, 0, 0); // Pacific standard time: -08:00
const JUL = Date.UTC(2026, 6, 15, 20, 0, 0); // Pacific daylight time: -07:00
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- queries ------------------------------------------------------------------------------------------------

describe('query', () => {
  let fake: FakeQuickBooks;
  let realm: string;
  let qbo: QuickBooks;

  beforeAll(async () => {
    fake = await start();
    realm = fake.addRealm();
    // 2,500 customers, two to a second, so that Id breaks the ties in the order.
    fake.seedCustomers(realm, 2500, (i) => ({
      DisplayName: `Seeded ${i}`,
      PrimaryEmailAddr: { Address: `seeded${i}@example.com` },
      MetaData: { LastUpdatedTime: JAN + Math.floor(i / 2) * 1000 + (i % 2) * 300 },
    }));
    qbo = client(fake, realm, fake.issueTokens(realm));
  });

  it('pages 2,500 customers 1,000 at a time through findCustomers fetchAll', async () => {
    const before = fake.log.length;
    const all = query(await sdk((cb) => qbo.findCustomers([{ field: 'fetchAll', value: true }], cb))).Customer ?? [];

    expect(all).toHaveLength(2500);
    expect(new Set(all.map((c) => c.Id)).size).toBe(2500);
    expect(all.map((c) => c.Id)).toEqual(fake.customers(realm).map((c) => c.Id));
    const sent = fake.log.slice(before).map((e) => e.query.query);
    expect(sent).toEqual([
      'select * from customer startposition 1 maxresults 1000',
      'select * from customer startposition 1001 maxresults 1000',
      'select * from customer startposition 2001 maxresults 1000',
    ]);
    expect(fake.log.slice(before).every((e) => e.query.minorversion === '75' && e.status === 200)).toBe(true);
  });

  it('pages with ORDERBY LastUpdatedTime, Id and STARTPOSITION/MAXRESULTS; past the end the answer is empty', async () => {
    const pages: QueryBody['QueryResponse'][] = [];
    for (const start of [1, 1001, 2001, 2501]) {
      const sql = `where Metadata.LastUpdatedTime >= '2026-01-01T00:00:00Z' orderby Metadata.LastUpdatedTime, Id startposition ${start} maxresults 1000`;
      pages.push(query(await sdk((cb) => qbo.findCustomers(where(sql), cb))));
    }

    expect(pages.map((p) => [p.startPosition, p.maxResults, p.Customer?.length])).toEqual([
      [1, 1000, 1000],
      [1001, 1000, 1000],
      [2001, 500, 500],
      [undefined, undefined, undefined],
    ]);
    expect(pages[3]).toEqual({});
    const ids = pages.flatMap((p) => p.Customer ?? []).map((c) => c.Id);
    expect(ids).toEqual(fake.customers(realm).map((c) => c.Id));
    // Two customers share each second; the one with the lower Id comes first.
    expect(ids.slice(0, 4)).toEqual(['1', '2', '3', '4']);
  });

  it('orders descending and by other properties', async () => {
    const desc = query(await sdk((cb) => qbo.findCustomers(where('orderby MetaData.LastUpdatedTime desc, Id desc maxresults 3'), cb)));
    expect(desc.Customer?.map((c) => c.Id)).toEqual(['2500', '2499', '2498']);
    const byName = query(await sdk((cb) => qbo.findCustomers(where('orderby DisplayName maxresults 3'), cb)));
    expect(byName.Customer?.map((c) => c.DisplayName)).toEqual(['Seeded 0', 'Seeded 1', 'Seeded 10']);
  });

  it('uses 100 as the default MAXRESULTS and refuses more than 1000 with a 4001 fault', async () => {
    const page = query(await sdk((cb) => qbo.findCustomers(cb)));
    expect(page.Customer).toHaveLength(100);

    const refused = await sdk((cb) => qbo.findCustomers({ limit: 1001 }, cb));
    expect(fault(refused.err)).toMatchObject({ status: 400, type: 'ValidationFault', code: '4001', message: 'Invalid query' });
    expect(fault(refused.err).detail).toMatch(/^QueryValidationError: .*1000/);
  });

  it('answers a query that does not parse with 400 and code 4000 QueryParserError', async () => {
    for (const sql of ["where DisplayName = 'a' or DisplayName = 'b'", 'where DisplayName =', "where Active != true", 'order by Id']) {
      const o = await sdk((cb) => qbo.findCustomers(where(sql), cb));
      expect(fault(o.err), sql).toMatchObject({ status: 400, type: 'ValidationFault', code: '4000', message: 'Error parsing query' });
      expect(fault(o.err).detail, sql).toMatch(/^QueryParserError: /);
    }
    const unknown = await sdk((cb) => qbo.findCustomers(where("where Nickname = 'x'"), cb));
    expect(fault(unknown.err)).toMatchObject({ status: 400, code: '4001', detail: 'QueryValidationError: Property Nickname not found for Entity Customer' });
  });

  it('filters on LastUpdatedTime whatever the offset the instant is written with', async () => {
    // Customer 1001 (i = 1000) was updated at JAN + 500 s = 20:08:20Z = 12:08:20-08:00 = 01:38:20+05:30 next day.
    const spellings = ['2026-01-15T20:08:20Z', '2026-01-15T12:08:20-08:00', '2026-01-16T01:38:20+05:30', '2026-01-15T12:08:20'];
    for (const t of spellings) {
      const page = query(
        await sdk((cb) => qbo.findCustomers([{ field: 'MetaData.LastUpdatedTime', value: t, operator: '>=' }, { field: 'limit', value: 2 }], cb)),
      );
      expect(page.Customer?.map((c) => c.Id), t).toEqual(['1001', '1002']);
    }
    const before = query(await sdk((cb) => qbo.findCustomers({ count: true, 'MetaData.LastUpdatedTime': '2026-01-15T12:08:20-08:00' }, cb)));
    expect(before.totalCount).toBe(2);
    const justBefore = query(
      await sdk((cb) =>
        qbo.findCustomers(
          [
            { field: 'MetaData.LastUpdatedTime', value: '2026-01-15T20:08:20Z', operator: '<' },
            { field: 'desc', value: 'MetaData.LastUpdatedTime' },
            { field: 'limit', value: 1 },
          ],
          cb,
        ),
      ),
    );
    expect(justBefore.Customer?.map((c) => c.Id)).toEqual(['1000']);
  });

  it('renders times in Pacific time with the offset in force, to the second', async () => {
    const summer = fake.upsertCustomer(realm, { DisplayName: 'Summer', MetaData: { LastUpdatedTime: JUL + 123, CreateTime: JAN } });
    const got = await sdk((cb) => qbo.getCustomer(summer.Id, cb));
    const wire = got.data as WireCustomer;
    expect(wire.MetaData).toEqual({ CreateTime: '2026-01-15T12:00:00-08:00', LastUpdatedTime: '2026-07-15T13:00:00-07:00' });
    expect(Date.parse(wire.MetaData.LastUpdatedTime)).toBe(JUL);
    expect(wire).toMatchObject({ domain: 'QBO', sparse: false, Active: true, SyncToken: '0' });
    expect((got.data as { time?: string }).time).toBeUndefined(); // getCustomer unwraps { Customer, time }
    expect(got.res?.headers.intuit_tid).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    fake.deleteCustomer(realm, summer.Id);
  });

  it('returns only active customers unless the query says otherwise', async () => {
    for (const id of ['10', '20', '30']) fake.deactivateCustomer(realm, id);
    const count = async (criteria: QueryCriteria) => query(await sdk((cb) => qbo.findCustomers(criteria, cb))).totalCount;

    expect(await count({ count: true })).toBe(2497);
    expect(await count({ count: true, Active: [true, false] })).toBe(2500);
    expect(await count({ count: true, Active: false })).toBe(3);
    const inactive = query(await sdk((cb) => qbo.findCustomers(where('WHERE active = false ORDERBY id'), cb)));
    expect(inactive.Customer?.map((c) => [c.Id, c.Active, c.SyncToken])).toEqual([
      ['10', false, '1'],
      ['20', false, '1'],
      ['30', false, '1'],
    ]);
    const byId = query(await sdk((cb) => qbo.findCustomers({ Id: '20' }, cb)));
    expect(byId).toEqual({});
  });

  it('matches Id, Id IN, DisplayName and PrimaryEmailAddr, with keywords and property names in any case', async () => {
    const ids = query(await sdk((cb) => qbo.findCustomers(where("where id in ('5', '7', '9999') and Metadata.LastUpdatedTime > '2020-01-01'"), cb)));
    expect(ids.Customer?.map((c) => c.Id)).toEqual(['5', '7']);
    const named = query(await sdk((cb) => qbo.findCustomers({ DisplayName: 'seeded 41' }, cb)));
    expect(named.Customer?.map((c) => c.Id)).toEqual(['42']);
    const mailed = query(await sdk((cb) => qbo.findCustomers(where("Where PrimaryEmailAddr = 'Seeded99@example.com'"), cb)));
    expect(mailed.Customer?.map((c) => c.Id)).toEqual(['100']);
    const liked = query(await sdk((cb) => qbo.findCustomers([{ field: 'DisplayName', value: 'Seeded 249%', operator: 'LIKE' }], cb)));
    expect(liked.Customer?.map((c) => c.DisplayName).sort()).toEqual(['Seeded 249', 'Seeded 2490', 'Seeded 2491', 'Seeded 2492', 'Seeded 2493', 'Seeded 2494', 'Seeded 2495', 'Seeded 2496', 'Seeded 2497', 'Seeded 2498', 'Seeded 2499']);
    const quoted = fake.upsertCustomer(realm, { DisplayName: "O'Brien & Sons" });
    const escaped = query(await sdk((cb) => qbo.findCustomers({ DisplayName: "O'Brien & Sons" }, cb)));
    expect(escaped.Customer?.map((c) => c.Id)).toEqual([quoted.Id]);
  });

  it('pages 100,000 customers 1,000 at a time quickly', async () => {
    const big = fake.addRealm();
    const seeding = performance.now();
    fake.seedCustomers(big, 100_000, (i) => ({ MetaData: { LastUpdatedTime: JAN + i * 10 } }));
    const seeded = performance.now() - seeding;
    const tokens = fake.issueTokens(big);

    const paging = performance.now();
    let seen = 0;
    for (let start = 1; ; start += 1000) {
      const url = `${fake.url}/v3/company/${big}/query?query=${encodeURIComponent(`select * from Customer orderby Metadata.LastUpdatedTime, Id startposition ${start} maxresults 1000`)}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      const body = (await res.json()) as QueryBody;
      const n = body.QueryResponse.Customer?.length ?? 0;
      if (n === 0) break;
      expect(body.QueryResponse.Customer?.[0]?.Id).toBe(String(start));
      seen += n;
    }
    const paged = performance.now() - paging;

    expect(seen).toBe(100_000);
    expect(seeded).toBeLessThan(3000);
    expect(paged).toBeLessThan(15_000);
  });
});

// ---- change data capture ------------------------------------------------------------------------------------

describe('change data capture', () => {
  let clock = JUL;
  const now = () => clock;

  it('returns changed, inactive and deleted customers, deleted ones last', async () => {
    const fake = await start({ now });
    const realm = fake.addRealm();
    const qbo = client(fake, realm, fake.issueTokens(realm));
    clock = JUL - 3 * DAY;
    fake.seedCustomers(realm, 5);
    clock = JUL - 2 * DAY;
    fake.upsertCustomer(realm, { Id: '4', Notes: 'changed' });
    clock = JUL - DAY;
    fake.deactivateCustomer(realm, '2');
    clock = JUL - 3_600_000;
    fake.deleteCustomer(realm, '3');
    clock = JUL;

    const since = new Date(JUL - 2 * DAY - 1000).toISOString();
    const changes = cdcCustomers(await sdk((cb) => qbo.changeDataCapture(['Customer'], since, cb)));
    expect(changes.map((c) => [c.Id, c.status ?? c.Active])).toEqual([
      ['4', true],
      ['2', false],
      ['3', 'Deleted'],
    ]);
    expect(changes[2]).toEqual({ domain: 'QBO', status: 'Deleted', Id: '3', MetaData: { LastUpdatedTime: '2026-07-15T12:00:00-07:00' } });

    const everything = cdcCustomers(await sdk((cb) => qbo.changeDataCapture('Customer,Invoice', new Date(JUL - 4 * DAY).toISOString(), cb)));
    expect(everything.map((c) => c.Id)).toEqual(['1', '5', '4', '2', '3']);
    const shape = await sdk((cb) => qbo.changeDataCapture('Customer,Invoice', new Date(JUL - 4 * DAY).toISOString(), cb));
    expect((shape.data as CdcBody).CDCResponse[0]?.QueryResponse[1]).toEqual({});
    expect((shape.data as CdcBody).CDCResponse[0]?.QueryResponse[0]).toMatchObject({ startPosition: 1, maxResults: 5 });
    expect((shape.data as CdcBody).time).toMatch(/^2026-07-15T13:00:00\.000-07:00$/);
  });

  it('cuts the answer at 1,000 objects without saying so', async () => {
    const fake = await start({ now });
    const realm = fake.addRealm();
    const qbo = client(fake, realm, fake.issueTokens(realm));
    fake.seedCustomers(realm, 1200, (i) => ({ MetaData: { LastUpdatedTime: JUL - DAY + i * 1000 } }));

    const changes = cdcCustomers(await sdk((cb) => qbo.changeDataCapture(['Customer'], new Date(JUL - 2 * DAY).toISOString(), cb)));
    expect(changes).toHaveLength(1000);
    expect(changes[999]?.Id).toBe('1000');
  });

  it('drops deletions first when a smaller cdcMaxObjects is reached', async () => {
    const fake = await start({ now, cdcMaxObjects: 10 });
    const realm = fake.addRealm();
    const qbo = client(fake, realm, fake.issueTokens(realm));
    fake.seedCustomers(realm, 12, (i) => ({ MetaData: { LastUpdatedTime: JUL - DAY + i * 1000 } }));
    fake.deleteCustomer(realm, '1');

    const changes = cdcCustomers(await sdk((cb) => qbo.changeDataCapture(['Customer'], new Date(JUL - 2 * DAY).toISOString(), cb)));
    expect(changes.map((c) => c.Id)).toEqual(['2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
  });

  it('refuses to look back more than 30 days', async () => {
    const fake = await start({ now });
    const realm = fake.addRealm();
    const qbo = client(fake, realm, fake.issueTokens(realm));

    const old = await sdk((cb) => qbo.changeDataCapture(['Customer'], new Date(JUL - 31 * DAY).toISOString(), cb));
    expect(fault(old.err)).toMatchObject({ status: 400, type: 'ValidationFault' });
    expect(fault(old.err).detail).toMatch(/older than 30 days/);
    const recent = await sdk((cb) => qbo.changeDataCapture(['Customer'], new Date(JUL - 29 * DAY).toISOString(), cb));
    expect(recent.err).toBeNull();
    expect((recent.data as CdcBody).CDCResponse[0]?.QueryResponse).toEqual([{}]);
  });

  it('refuses a changedSince whose + offset node-quickbooks sent unencoded (it arrives as a space)', async () => {
    const fake = await start({ now });
    const realm = fake.addRealm();
    const qbo = client(fake, realm, fake.issueTokens(realm));

    const plus = await sdk((cb) => qbo.changeDataCapture(['Customer'], '2026-07-15T10:00:00+05:30', cb));
    expect(fault(plus.err)).toMatchObject({ status: 400, code: '2010' });
    const minus = await sdk((cb) => qbo.changeDataCapture(['Customer'], '2026-07-15T10:00:00-07:00', cb));
    expect(minus.err).toBeNull();
  });
});

// ---- single customers ---------------------------------------------------------------------------------------

describe('customers', () => {
  let fake: FakeQuickBooks;
  let realm: string;
  let qbo: QuickBooks;

  beforeAll(async () => {
    fake = await start();
    realm = fake.addRealm();
    fake.upsertCustomer(realm, { DisplayName: 'Ada Lovelace', GivenName: 'Ada', FamilyName: 'Lovelace' });
    qbo = client(fake, realm, fake.issueTokens(realm));
  });

  it('reads a customer, and answers an unknown Id with 400 Object Not Found (610)', async () => {
    const got = await sdk((cb) => qbo.getCustomer('1', cb));
    expect(got.data).toMatchObject({ Id: '1', DisplayName: 'Ada Lovelace', FullyQualifiedName: 'Ada Lovelace', GivenName: 'Ada' });

    const missing = await sdk((cb) => qbo.getCustomer('404', cb));
    expect(missing.data).toBeNull();
    expect(fault(missing.err)).toMatchObject({ status: 400, type: 'ValidationFault', code: '610', message: 'Object Not Found' });
  });

  it('creates, updates with the SyncToken, and refuses a stale SyncToken with 5010', async () => {
    const created = (await sdk((cb) => qbo.createCustomer({ GivenName: 'Grace', FamilyName: 'Hopper', PrimaryEmailAddr: { Address: 'grace@example.com' } }, cb)))
      .data as WireCustomer;
    expect(created).toMatchObject({ DisplayName: 'Grace Hopper', SyncToken: '0', Active: true });

    const updated = await sdk((cb) => qbo.updateCustomer({ Id: created.Id, SyncToken: '0', Notes: 'Admiral' }, cb));
    expect(updated.data).toMatchObject({ Id: created.Id, SyncToken: '1', Notes: 'Admiral', DisplayName: 'Grace Hopper' });

    const stale = await sdk((cb) => qbo.updateCustomer({ Id: created.Id, SyncToken: '0', Notes: 'lost' }, cb));
    expect(fault(stale.err)).toMatchObject({ status: 400, type: 'ValidationFault', code: '5010', message: 'Stale Object Error' });
    expect(fake.customers(realm).find((c) => c.Id === created.Id)?.Notes).toBe('Admiral');

    // A full (non-sparse) update replaces the writable fields: what it leaves out is gone.
    const full = await sdk((cb) => qbo.updateCustomer({ Id: created.Id, SyncToken: '1', sparse: false, DisplayName: 'G. Hopper' }, cb));
    expect(full.data).toMatchObject({ SyncToken: '2', DisplayName: 'G. Hopper' });
    expect((full.data as { Notes?: string }).Notes).toBeUndefined();
  });

  it('refuses a DisplayName in use with 6240, naming the other customer, ignoring case and spaces', async () => {
    const dup = await sdk((cb) => qbo.createCustomer({ DisplayName: '  ada   LOVELACE ' }, cb));
    expect(fault(dup.err)).toMatchObject({ status: 400, code: '6240', message: 'Duplicate Name Exists Error', detail: 'The name supplied already exists. : Id=1' });
    expect(() => fake.upsertCustomer(realm, { DisplayName: 'Ada Lovelace' })).toThrow(/already used by customer 1/);
  });

  it('checks what it is sent: a name part too long (2050), no name at all (2020), no SyncToken on update (2020)', async () => {
    const long = await sdk((cb) => qbo.createCustomer({ DisplayName: 'Long', GivenName: 'x'.repeat(101) }, cb));
    expect(fault(long.err)).toMatchObject({ status: 400, code: '2050' });
    const nameless = await sdk((cb) => qbo.createCustomer({ Notes: 'who?' }, cb));
    expect(fault(nameless.err)).toMatchObject({ status: 400, code: '2020' });
    const body = { Id: '1', Notes: 'x' };
    const noToken = await fetch(`${fake.url}/v3/company/${realm}/customer?operation=update&minorversion=75`, {
      method: 'POST',
      headers: { authorization: `Bearer ${qbo.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(noToken.status).toBe(400);
    expect(((await noToken.json()) as FaultBody).Fault.Error[0]).toMatchObject({ code: '2020', Detail: 'Required parameter SyncToken is missing in the request' });
  });
});

// ---- authentication -----------------------------------------------------------------------------------------

describe('authentication', () => {
  it('answers an expired token with 401 3200, and the SDK refreshes and rotates the refresh token', async () => {
    const fake = await start();
    const realm = fake.addRealm();
    fake.seedCustomers(realm, 1);
    const first = fake.issueTokens(realm);
    const qbo = client(fake, realm, first);

    fake.faults.expireAccessTokens();
    const expired = await sdk((cb) => qbo.getCustomer('1', cb));
    expect(fault(expired.err)).toMatchObject({ status: 401, type: 'AUTHENTICATION', code: '3200', message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401' });
    expect(fault(expired.err).detail).toMatch(/^Token expired: /);

    const refreshed = await sdk((cb) => qbo.refreshAccessToken(cb));
    expect(refreshed.err).toBeNull();
    const tokens = refreshed.data as QboTokenResponse;
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8_726_400 });
    expect(tokens.refresh_token).not.toBe(first.refresh_token);
    expect(qbo.refreshToken).toBe(tokens.refresh_token);
    expect(fake.tokenRefreshes).toBe(1);
    expect((await sdk((cb) => qbo.getCustomer('1', cb))).err).toBeNull();

    // The rotated refresh token is dead at once.
    qbo.refreshToken = first.refresh_token;
    const reused = await sdk((cb) => qbo.refreshAccessToken(cb));
    expect(reused.err?.response?.status).toBe(400);
    expect(reused.err?.response?.data).toEqual({ error: 'invalid_grant' });
    expect(fake.tokenRefreshes).toBe(1);

    // No token of any kind reaches the log.
    const logged = JSON.stringify(fake.log);
    for (const t of [first.access_token, first.refresh_token, tokens.access_token, tokens.refresh_token]) expect(logged).not.toContain(t);
    expect(fake.log.filter((e) => e.kind === 'token').map((e) => [e.status, e.rejected, e.realmId])).toEqual([
      [200, undefined, realm],
      [400, 'auth', realm],
    ]);
  });

  it('expires access tokens after an hour of the fake clock', async () => {
    let clock = JAN;
    const fake = await start({ now: () => clock });
    const realm = fake.addRealm();
    fake.seedCustomers(realm, 1);
    const qbo = client(fake, realm, fake.issueTokens(realm));

    clock += 3599_000;
    expect((await sdk((cb) => qbo.getCustomer('1', cb))).err).toBeNull();
    clock += 1000;
    expect(fault((await sdk((cb) => qbo.getCustomer('1', cb))).err)).toMatchObject({ status: 401, code: '3200' });
  });

  it("refuses a token on another company's realm with 401, and unknown tokens with 3200", async () => {
    const fake = await start();
    const a = fake.addRealm();
    const b = fake.addRealm('123145');
    expect(a).toMatch(/^9341452\d{9}$/);
    const qbo = client(fake, b, fake.issueTokens(a));
    expect(fault((await sdk((cb) => qbo.getCustomer('1', cb))).err)).toMatchObject({ status: 401, type: 'AuthenticationFault', code: '100' });
    qbo.token = 'made-up';
    expect(fault((await sdk((cb) => qbo.getCustomer('1', cb))).err)).toMatchObject({ status: 401, code: '3200', detail: expect.stringMatching(/^Token invalid/) });
    expect(fake.log.every((e) => e.rejected === 'auth')).toBe(true);
  });

  it('answers invalid_grant while the fault is on, and invalid_client for a wrong secret', async () => {
    const fake = await start();
    const realm = fake.addRealm();
    const tokens = fake.issueTokens(realm);

    fake.faults.invalidGrant();
    const refused = await sdk((cb) => client(fake, realm, tokens).refreshAccessToken(cb));
    expect(refused.err?.response).toMatchObject({ status: 400, data: { error: 'invalid_grant' } });
    fake.faults.invalidGrant(false);
    expect((await sdk((cb) => client(fake, realm, tokens).refreshAccessToken(cb))).err).toBeNull();

    const wrong = await sdk((cb) => client(fake, realm, tokens, 'not-the-secret').refreshAccessToken(cb));
    expect(wrong.err?.response).toMatchObject({ status: 401, data: { error: 'invalid_client' } });
  });

  it('keeps a rotated refresh token alive for refreshTokenGraceMs when asked to', async () => {
    let clock = JAN;
    const fake = await start({ now: () => clock, refreshTokenGraceMs: 60_000 });
    const realm = fake.addRealm();
    const first = fake.issueTokens(realm);
    const qbo = client(fake, realm, first);

    expect((await sdk((cb) => qbo.refreshAccessToken(cb))).err).toBeNull();
    qbo.refreshToken = first.refresh_token;
    clock += 59_000;
    expect((await sdk((cb) => qbo.refreshAccessToken(cb))).err).toBeNull();
    qbo.refreshToken = first.refresh_token;
    clock += 1000;
    expect((await sdk((cb) => qbo.refreshAccessToken(cb))).err?.response?.data).toEqual({ error: 'invalid_grant' });
  });

  it('authorizes at once: a 302 to the redirect URI with code, state and realmId; the code works once', async () => {
    const fake = await start();
    const realm = fake.addRealm();
    const redirect = 'https://switchboard.example/qbo/callback';
    const authorize = new URL('/connect/oauth2', fake.url);
    authorize.search = new URLSearchParams({ client_id: fake.clientId, response_type: 'code', scope: 'com.intuit.quickbooks.accounting', redirect_uri: redirect, state: 's-42' }).toString();

    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(redirect);
    expect(back.searchParams.get('state')).toBe('s-42');
    expect(back.searchParams.get('realmId')).toBe(realm);
    const code = back.searchParams.get('code') ?? '';

    const exchange = (redirectUri: string, secret = fake.clientSecret) =>
      fetch(`${fake.url}/oauth2/v1/tokens/bearer`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${fake.clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
      });
    expect((await exchange(redirect, 'wrong')).status).toBe(401);
    const granted = await exchange(redirect);
    expect(granted.status).toBe(200);
    const tokens = (await granted.json()) as QboTokenResponse;
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, x_refresh_token_expires_in: 8_726_400 });
    const again = await exchange(redirect);
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant' });

    // The tokens work for the realm the redirect named.
    fake.seedCustomers(realm, 1);
    expect((await sdk((cb) => client(fake, realm, tokens).getCustomer('1', cb))).err).toBeNull();

    const badClient = new URL(authorize);
    badClient.searchParams.set('client_id', 'someone-else');
    expect((await fetch(badClient, { redirect: 'manual' })).status).toBe(400);
    expect(JSON.stringify(fake.log)).not.toContain(code);
  });
});

// ---- limits -------------------------------------------------------------------------------------------------

describe('limits', () => {
  it('answers 429 ThrottleExceeded with Retry-After past perMinute in the window; a refused call takes no quota', async () => {
    const fake = await start({ limits: { perMinute: 5, windowMs: 1500 } });
    const realm = fake.addRealm();
    fake.seedCustomers(realm, 1);
    const qbo = client(fake, realm, fake.issueTokens(realm));

    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await sdk((cb) => qbo.getCustomer('1', cb))).err?.response?.status ?? 200);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);

    const throttled = await sdk((cb) => qbo.findCustomers(cb));
    expect(fault(throttled.err)).toMatchObject({ status: 429, type: 'SERVICE', code: '3001', message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429' });
    expect(throttled.err?.response?.headers['retry-after']).toMatch(/^[12]$/);
    expect(fake.log.filter((e) => e.rejected === 'rate-limit')).toHaveLength(4);

    await sleep(1600);
    const after = [];
    for (let i = 0; i < 6; i++) after.push((await sdk((cb) => qbo.getCustomer('1', cb))).err?.response?.status ?? 200);
    expect(after).toEqual([200, 200, 200, 200, 200, 429]);
    expect(fake.maxInWindow(realm)).toBe(5);
  });

  it('allows 10 calls in flight per company by default and refuses the rest with 429', async () => {
    const fake = await start();
    const realm = fake.addRealm();
    const other = fake.addRealm();
    fake.seedCustomers(realm, 1);
    fake.seedCustomers(other, 1);
    const qbo = client(fake, realm, fake.issueTokens(realm));
    const qboOther = client(fake, other, fake.issueTokens(other));

    fake.faults.slow(250);
    const calls = await Promise.all([
      ...Array.from({ length: 14 }, () => sdk((cb) => qbo.getCustomer('1', cb))),
      ...Array.from({ length: 3 }, () => sdk((cb) => qboOther.getCustomer('1', cb))),
    ]);
    fake.faults.clear();

    const mine = calls.slice(0, 14).map((c) => c.err?.response?.status ?? 200);
    expect(mine.filter((s) => s === 200)).toHaveLength(10);
    expect(mine.filter((s) => s === 429)).toHaveLength(4);
    expect(calls.slice(14).every((c) => c.err === null)).toBe(true);
    expect(calls.find((c) => c.err)?.err?.response?.headers['retry-after']).toBe('1');
    expect(fake.maxInFlight(realm)).toBe(10);
    expect(fake.maxInFlight(other)).toBe(3);
    expect((await sdk((cb) => qbo.getCustomer('1', cb))).err).toBeNull();
  });
});

// ---- faults -------------------------------------------------------------------------------------------------

describe('faults', () => {
  let fake: FakeQuickBooks;
  let realm: string;
  let qbo: QuickBooks;

  beforeAll(async () => {
    fake = await start();
    realm = fake.addRealm();
    fake.seedCustomers(realm, 3);
    qbo = client(fake, realm, fake.issueTokens(realm));
  });
  afterEach(() => fake.faults.clear());

  it('outage: every call answers 503 (an HTML page) for the time given, then recovers', async () => {
    fake.faults.outage(300);
    const down = await sdk((cb) => qbo.findCustomers(cb));
    expect(down.err?.response?.status).toBe(503);
    expect(down.err?.response?.data).toMatch(/503 Service Unavailable/);
    expect(fake.log.at(-1)).toMatchObject({ rejected: 'outage', status: 503 });
    await sleep(350);
    expect((await sdk((cb) => qbo.findCustomers(cb))).err).toBeNull();

    fake.faults.outage(10_000, 500);
    expect(fault((await sdk((cb) => qbo.getCustomer('1', cb))).err)).toMatchObject({ status: 500, type: 'SystemFault', code: '10000' });
  });

  it('rateLimit: the next calls get 429 with the Retry-After given', async () => {
    fake.faults.rateLimit(2, 7);
    const first = await sdk((cb) => qbo.changeDataCapture(['Customer'], new Date(Date.now() - DAY).toISOString(), cb));
    const second = await sdk((cb) => qbo.getCustomer('1', cb));
    const third = await sdk((cb) => qbo.getCustomer('1', cb));
    expect([first, second].map((o) => [o.err?.response?.status, o.err?.response?.headers['retry-after']])).toEqual([
      [429, '7'],
      [429, '7'],
    ]);
    // changeDataCapture and the CRUD calls also hand the response over as the third argument.
    expect(second.res?.headers['retry-after']).toBe('7');
    expect(third.err).toBeNull();
  });

  it('slow: delays the next calls', async () => {
    fake.faults.slow(300, 1);
    const t0 = performance.now();
    expect((await sdk((cb) => qbo.getCustomer('1', cb))).err).toBeNull();
    const t1 = performance.now();
    expect((await sdk((cb) => qbo.getCustomer('1', cb))).err).toBeNull();
    const t2 = performance.now();
    expect(t1 - t0).toBeGreaterThanOrEqual(290);
    expect(t2 - t1).toBeLessThan(250);
  });

  it('dropConnections: the socket closes with no answer, and the SDK reports a network error', async () => {
    fake.faults.dropConnections(1);
    const dropped = await sdk((cb) => qbo.findCustomers(cb));
    expect(dropped.err?.isAxiosError).toBe(true);
    expect(dropped.err?.response).toBeUndefined();
    expect(dropped.err?.code).toBe('ECONNRESET');
    expect(fake.log.at(-1)).toMatchObject({ rejected: 'dropped', status: 0 });
    expect((await sdk((cb) => qbo.findCustomers(cb))).err).toBeNull();
  });

  it('clear: ends every fault', async () => {
    fake.faults.outage(10_000);
    fake.faults.rateLimit(5);
    fake.faults.dropConnections(5);
    fake.faults.slow(5000);
    fake.faults.clear();
    expect((await sdk((cb) => qbo.getCustomer('1', cb))).err).toBeNull();
  });
});

describe('webhooks', () => {
  it('signs a payload as the intuit-signature header does: base64 HMAC-SHA256 with the verifier token', async () => {
    const fake = await start({ verifierToken: 'verifier-1' });
    const body = '{"eventNotifications":[]}';
    expect(fake.verifierToken).toBe('verifier-1');
    expect(signQuickBooksWebhook(body, fake.verifierToken)).toBe(createHmac('sha256', 'verifier-1').update(body).digest('base64'));
    expect(signQuickBooksWebhook(body, 'other')).not.toBe(signQuickBooksWebhook(body, fake.verifierToken));
  });
});
