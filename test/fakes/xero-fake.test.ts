import { errors, Issuer, type BaseClient } from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { XeroClient } from 'xero-node';
import { startFakeXero, type FakeXero, type XeroFakeOptions, type XeroTokenResponse } from '../../fakes/xero/server';

/**
 * The fake Xero through the real xero-node SDK and openid-client over real HTTP, as the sync code will use them.
 */

const REDIRECT_URI = 'http://127.0.0.1:5555/callback';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** What xero-node rejects an API call with: a JSON string of this. */
interface XeroRejection {
  response: {
    statusCode: number;
    body: unknown;
    headers: Record<string, string>;
    request: { url: { protocol?: string; port?: number; host?: string; path?: string }; headers: Record<string, string>; method?: string };
  };
  body: unknown;
}

const fakes: FakeXero[] = [];

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function start(options: XeroFakeOptions = {}): Promise<FakeXero> {
  const fake = await startFakeXero(options);
  fakes.push(fake);
  return fake;
}

function sdk(fake: FakeXero, tokens: XeroTokenResponse): XeroClient {
  const xero = new XeroClient({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUris: [REDIRECT_URI], scopes: ['accounting.contacts'] });
  xero.accountingApi.basePath = `${fake.url}/api.xro/2.0`;
  xero.setTokenSet({ ...tokens });
  return xero;
}

/** A fake with one tenant, its tokens and an SDK client for them. */
async function connected(options: XeroFakeOptions = {}) {
  const fake = await start(options);
  const tenantId = fake.addTenant({ tenantName: 'Harbour Physio' });
  const tokens = fake.issueTokens([tenantId]);
  return { fake, tenantId, tokens, xero: sdk(fake, tokens) };
}

function openIdClient(fake: FakeXero, secret = fake.clientSecret): BaseClient {
  const issuer = new Issuer({
    issuer: fake.url,
    token_endpoint: `${fake.url}/connect/token`,
    authorization_endpoint: `${fake.url}/identity/connect/authorize`,
  });
  return new issuer.Client({ client_id: fake.clientId, client_secret: secret, redirect_uris: [REDIRECT_URI], response_types: ['code'] });
}

async function rejectionOf(promise: Promise<unknown>): Promise<XeroRejection> {
  let failure: unknown;
  try {
    await promise;
  } catch (error) {
    failure = error;
  }
  expect(typeof failure, 'xero-node rejects API errors with a JSON string').toBe('string');
  return JSON.parse(failure as string) as XeroRejection;
}

async function opErrorOf(promise: Promise<unknown>): Promise<errors.OPError> {
  const failure = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(errors.OPError);
  return failure as errors.OPError;
}

function apiHeaders(tokens: XeroTokenResponse, tenantId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${tokens.access_token}`, 'xero-tenant-id': tenantId, Accept: 'application/json', ...extra };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('fake Xero contacts through xero-node', () => {
  it('pages 2,500 contacts 1,000 at a time in UpdatedDateUTC order, with the pagination object and SDK-parsed dates', async () => {
    const { fake, tenantId, xero } = await connected();
    fake.seedContacts(tenantId, 2_500, (i) => ({ Name: `Client ${i}`, UpdatedDateUTC: T0 + (2_499 - i) * 1_000 }));

    const seen: { id: string; updated: Date }[] = [];
    const paginations = [];
    for (let page = 1; page <= 4; page++) {
      const { body, response } = await xero.accountingApi.getContacts(tenantId, undefined, undefined, 'UpdatedDateUTC ASC', undefined, page, true, undefined, undefined, 1000);
      expect(response.status).toBe(200);
      paginations.push(body.pagination);
      for (const contact of body.contacts ?? []) seen.push({ id: contact.contactID as string, updated: contact.updatedDateUTC as unknown as Date });
      expect(body.contacts?.length).toBe([1000, 1000, 500, 0][page - 1]);
    }

    expect(paginations).toEqual([1, 2, 3, 4].map((page) => ({ page, pageSize: 1000, pageCount: 3, itemCount: 2500 })));
    expect(seen).toHaveLength(2_500);
    expect(new Set(seen.map((c) => c.id))).toEqual(new Set(fake.contacts(tenantId).map((c) => c.ContactID)));
    expect(seen.every((c) => c.updated instanceof Date)).toBe(true);
    const times = seen.map((c) => c.updated.getTime());
    expect(times[0]).toBe(T0);
    expect(times[2_499]).toBe(T0 + 2_499_000);
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
  });

  it('answers contacts in the wire shape of the spec: /Date()/ dates, four phones and two addresses', async () => {
    const { fake, tenantId, tokens, xero } = await connected();
    const stored = fake.upsertContact(tenantId, {
      Name: 'Aroha Ngata',
      FirstName: 'Aroha',
      LastName: 'Ngata',
      EmailAddress: 'aroha@example.com',
      ContactNumber: 'SB-1',
      Phones: [{ PhoneType: 'MOBILE', PhoneCountryCode: '64', PhoneAreaCode: '21', PhoneNumber: '555 0101' }],
      Addresses: [{ AddressType: 'STREET', AddressLine1: '12 Queen St', City: 'Auckland', Country: 'New Zealand' }],
      IsCustomer: true,
      UpdatedDateUTC: 1718000000000,
    });

    const raw = await fetch(`${fake.url}/api.xro/2.0/Contacts`, { headers: apiHeaders(tokens, tenantId) });
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
    const json = (await raw.json()) as { Status: string; DateTimeUTC: string; Contacts: Record<string, unknown>[] };
    expect(json.Status).toBe('OK');
    expect(json.DateTimeUTC).toMatch(/^\/Date\(\d+\)\/$/);
    const wire = json.Contacts[0] as Record<string, unknown>;
    expect(wire.UpdatedDateUTC).toBe('/Date(1718000000000+0000)/');
    expect((wire.Phones as { PhoneType: string }[]).map((p) => p.PhoneType).sort()).toEqual(['DDI', 'DEFAULT', 'FAX', 'MOBILE']);
    expect((wire.Addresses as { AddressType: string }[]).map((a) => a.AddressType).sort()).toEqual(['POBOX', 'STREET']);

    const { body } = await xero.accountingApi.getContact(tenantId, stored.ContactID);
    const contact = body.contacts?.[0];
    expect(contact?.contactID).toBe(stored.ContactID);
    expect(contact?.contactNumber).toBe('SB-1');
    expect((contact?.updatedDateUTC as unknown as Date).getTime()).toBe(1718000000000);
    expect(contact?.phones?.find((p) => String(p.phoneType) === 'MOBILE')).toMatchObject({ phoneCountryCode: '64', phoneAreaCode: '21', phoneNumber: '555 0101' });
    expect(contact?.addresses?.find((a) => String(a.addressType) === 'STREET')).toMatchObject({ addressLine1: '12 Queen St', city: 'Auckland' });
    expect(contact?.isCustomer).toBe(true);
  });

  it('returns only contacts updated strictly after If-Modified-Since, to the millisecond, in ISO 8601 and RFC 1123 forms', async () => {
    const { fake, tenantId, tokens, xero } = await connected();
    for (const offset of [0, 1, 2, 500, 1_000]) fake.upsertContact(tenantId, { Name: `At +${offset} ms`, UpdatedDateUTC: T0 + offset });

    const names = async (since: Date) => (await xero.accountingApi.getContacts(tenantId, since)).body.contacts?.map((c) => c.name);
    expect(await names(new Date(T0 + 1))).toEqual(['At +2 ms', 'At +500 ms', 'At +1000 ms']);
    expect(await names(new Date(T0 + 1_000))).toEqual([]);
    expect(await names(new Date(T0 - 1))).toHaveLength(5);
    expect(fake.log.at(-1)?.status).toBe(200);

    const byHeader = async (value: string) => {
      const res = await fetch(`${fake.url}/api.xro/2.0/Contacts`, { headers: apiHeaders(tokens, tenantId, { 'If-Modified-Since': value }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { Contacts: { Name: string }[] }).Contacts.map((c) => c.Name);
    };
    expect(await byHeader('2026-01-01T00:00:00.500')).toEqual(['At +1000 ms']);
    expect(await byHeader('Thu, 01 Jan 2026 00:00:00 GMT')).toEqual(['At +1 ms', 'At +2 ms', 'At +500 ms', 'At +1000 ms']);
    expect(await byHeader('2026-01-01T13:00:00.001+13:00')).toEqual(['At +2 ms', 'At +500 ms', 'At +1000 ms']);

    const bad = await fetch(`${fake.url}/api.xro/2.0/Contacts`, { headers: apiHeaders(tokens, tenantId, { 'If-Modified-Since': 'yesterday' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ErrorNumber: 10, Type: 'ValidationException' });
  });

  it('hides archived contacts unless includeArchived=true, and forgets deleted ones', async () => {
    const { fake, tenantId, xero } = await connected();
    const kept = fake.upsertContact(tenantId, { Name: 'Kept', UpdatedDateUTC: T0 });
    const archived = fake.upsertContact(tenantId, { Name: 'Archived later', UpdatedDateUTC: T0 + 1 });
    const deleted = fake.upsertContact(tenantId, { Name: 'Deleted', UpdatedDateUTC: T0 + 2 });
    expect(fake.archiveContact(tenantId, archived.ContactID).ContactStatus).toBe('ARCHIVED');
    fake.deleteContact(tenantId, deleted.ContactID);

    const list = async (includeArchived?: boolean) =>
      (await xero.accountingApi.getContacts(tenantId, undefined, undefined, undefined, undefined, 1, includeArchived)).body.contacts?.map((c) => [c.name, String(c.contactStatus)]);
    expect(await list()).toEqual([['Kept', 'ACTIVE']]);
    expect(await list(false)).toEqual([['Kept', 'ACTIVE']]);
    expect(await list(true)).toEqual([
      ['Kept', 'ACTIVE'],
      ['Archived later', 'ARCHIVED'],
    ]);
    expect(fake.contacts(tenantId).map((c) => c.ContactID)).toEqual([kept.ContactID, archived.ContactID]);

    const gone = await rejectionOf(xero.accountingApi.getContact(tenantId, deleted.ContactID));
    expect(gone.response.statusCode).toBe(404);
  });

  it('filters with where, IDs and searchTerm, orders by Name, and answers 400 QueryParseException to a where it cannot read', async () => {
    const { fake, tenantId, xero } = await connected();
    const names = ['Bea Smith', 'Ana Jones', 'Abe Lincoln', 'Carl Ames'];
    const ids = names.map((Name, i) => fake.upsertContact(tenantId, { Name, EmailAddress: `${Name.split(' ')[0]?.toLowerCase()}@example.com`, IsCustomer: i % 2 === 0, UpdatedDateUTC: T0 + i }).ContactID);
    const get = async (where?: string, order?: string, iDs?: string[], searchTerm?: string) =>
      (await xero.accountingApi.getContacts(tenantId, undefined, where, order, iDs, 1, undefined, undefined, searchTerm)).body.contacts?.map((c) => c.name);

    expect(await get('Name.StartsWith("A") AND ContactStatus=="ACTIVE"', 'Name ASC')).toEqual(['Abe Lincoln', 'Ana Jones']);
    expect(await get('IsCustomer==true', 'Name DESC')).toEqual(['Bea Smith', 'Abe Lincoln']);
    expect(await get(`ContactID==Guid("${ids[3]}") OR EmailAddress=="ana@example.com"`)).toEqual(['Ana Jones', 'Carl Ames']);
    expect(await get(undefined, 'UpdatedDateUTC DESC', [ids[0] as string, ids[2] as string])).toEqual(['Abe Lincoln', 'Bea Smith']);
    expect(await get(undefined, undefined, undefined, 'JONES')).toEqual(['Ana Jones']);

    const unparseable = await rejectionOf(xero.accountingApi.getContacts(tenantId, undefined, 'Name == "unterminated'));
    expect(unparseable.response.statusCode).toBe(400);
    expect(unparseable.response.body).toMatchObject({ ErrorNumber: 16, Type: 'QueryParseException' });
    const unknownField = await rejectionOf(xero.accountingApi.getContacts(tenantId, undefined, 'Nickname=="Bea"'));
    expect(unknownField.response.body).toMatchObject({ Message: "No property or field 'Nickname' exists in type 'Contact'" });
    expect(fake.log.filter((e) => e.rejected === 'validation')).toHaveLength(2);
  });

  it('clamps pageSize above 1000 to 1000 and answers an empty page past the end', async () => {
    const { fake, tenantId, tokens } = await connected();
    fake.seedContacts(tenantId, 1_200);
    const page = async (query: string) => {
      const res = await fetch(`${fake.url}/api.xro/2.0/Contacts?${query}`, { headers: apiHeaders(tokens, tenantId) });
      return (await res.json()) as { pagination: unknown; Contacts: unknown[] };
    };
    const big = await page('page=1&pageSize=5000');
    expect(big.pagination).toEqual({ page: 1, pageSize: 1000, pageCount: 2, itemCount: 1200 });
    expect(big.Contacts).toHaveLength(1000);
    const defaults = await page('');
    expect(defaults.pagination).toEqual({ page: 1, pageSize: 100, pageCount: 12, itemCount: 1200 });
    const past = await page('page=99&pageSize=1000');
    expect(past.Contacts).toEqual([]);
  });

  it('serves a 1,000-contact page out of 100,000 quickly', async () => {
    const { fake, tenantId, xero } = await connected();
    const seeding = performance.now();
    fake.seedContacts(tenantId, 100_000, (i) => ({ UpdatedDateUTC: T0 + i }));
    const seeded = performance.now() - seeding;

    const since = new Date(T0 + 98_499);
    const asking = performance.now();
    const { body } = await xero.accountingApi.getContacts(tenantId, since, undefined, 'UpdatedDateUTC ASC', undefined, 1, true, undefined, undefined, 1000);
    const answered = performance.now() - asking;
    expect(body.pagination).toEqual(expect.objectContaining({ itemCount: 1_500, pageCount: 2 }));
    expect((body.contacts?.[0]?.updatedDateUTC as unknown as Date).getTime()).toBe(T0 + 98_500);
    // Generous bounds: a shared CI machine with two cores; locally these are ~200 ms and ~50 ms.
    expect(seeded).toBeLessThan(5_000);
    expect(answered).toBeLessThan(2_000);
  });
});

describe('fake Xero rate limits', () => {
  it('sends the remaining-calls headers on every answer', async () => {
    const { tenantId, xero } = await connected({ limits: { perMinute: 10, perDay: 100, appPerMinute: 1000 } });
    const first = await xero.accountingApi.getContacts(tenantId);
    const second = await xero.accountingApi.getContacts(tenantId);
    expect(first.response.headers).toMatchObject({ 'x-minlimit-remaining': '9', 'x-daylimit-remaining': '99', 'x-appminlimit-remaining': '999' });
    expect(second.response.headers).toMatchObject({ 'x-minlimit-remaining': '8', 'x-daylimit-remaining': '98', 'x-appminlimit-remaining': '998' });
  });

  it('answers 429 with Retry-After past the minute limit, takes no quota for rejected calls, and lets calls in again when the window moves', async () => {
    const windowMs = 2_000;
    const { fake, tenantId, xero } = await connected({ limits: { perMinute: 3, windowMs } });
    for (let i = 0; i < 3; i++) await xero.accountingApi.getContacts(tenantId);
    const acceptedBy = performance.now();
    // Rejected calls a while into the window: had they counted, they would still fill it when the first three leave.
    await sleep(600);
    const rejections = [];
    for (let i = 0; i < 4; i++) rejections.push(await rejectionOf(xero.accountingApi.getContacts(tenantId)));

    const limited = rejections[0] as XeroRejection;
    expect(limited.response.statusCode).toBe(429);
    expect(limited.response.headers['x-rate-limit-problem']).toBe('minute');
    expect(limited.response.headers['x-minlimit-remaining']).toBe('0');
    const retryAfter = Number(limited.response.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(limited.response.body).toMatchObject({ Title: 'Too Many Requests', Status: 429 });
    expect(fake.maxInWindow(tenantId)).toBe(3);
    expect(fake.log.filter((e) => e.rejected === 'rate-limit')).toHaveLength(4);

    await sleep(acceptedBy + windowMs + 100 - performance.now());
    const after = await xero.accountingApi.getContacts(tenantId);
    expect(after.response.headers['x-minlimit-remaining']).toBe('2');
    expect(fake.maxInWindow(tenantId)).toBe(3);
  });

  it('answers 429 concurrent past the concurrent limit, and reports the most calls in flight', async () => {
    const { fake, tenantId, xero } = await connected({ limits: { concurrent: 2 } });
    fake.faults.slow(300);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => xero.accountingApi.getContacts(tenantId)));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => JSON.parse(r.reason as string) as XeroRejection);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(rejected).toHaveLength(3);
    for (const r of rejected) {
      expect(r.response.statusCode).toBe(429);
      expect(r.response.headers['x-rate-limit-problem']).toBe('concurrent');
      expect(r.response.headers['retry-after']).toBe('1');
    }
    expect(fake.maxInFlight(tenantId)).toBe(2);
  });

  it('answers 429 day past the daily limit, with a Retry-After of about a day', async () => {
    const { tenantId, xero } = await connected({ limits: { perDay: 2 } });
    await xero.accountingApi.getContacts(tenantId);
    await xero.accountingApi.getContacts(tenantId);
    const limited = await rejectionOf(xero.accountingApi.getContacts(tenantId));
    expect(limited.response.statusCode).toBe(429);
    expect(limited.response.headers['x-rate-limit-problem']).toBe('day');
    expect(limited.response.headers['x-daylimit-remaining']).toBe('0');
    expect(Number(limited.response.headers['retry-after'])).toBeGreaterThan(86_390);
    expect(Number(limited.response.headers['retry-after'])).toBeLessThanOrEqual(86_400);
  });

  it('counts calls of all tenants against the app-wide limit', async () => {
    const fake = await start({ limits: { appPerMinute: 2, windowMs: 60_000 } });
    const a = fake.addTenant();
    const b = fake.addTenant();
    const xero = sdk(fake, fake.issueTokens([a, b]));
    await xero.accountingApi.getContacts(a);
    const second = await xero.accountingApi.getContacts(b);
    expect(second.response.headers['x-appminlimit-remaining']).toBe('0');
    expect(second.response.headers['x-minlimit-remaining']).toBe('59');
    const limited = await rejectionOf(xero.accountingApi.getContacts(b));
    expect(limited.response.statusCode).toBe(429);
    expect(limited.response.headers['x-rate-limit-problem']).toBe('appminute');
  });

  it('keeps each tenant to its own limits', async () => {
    const fake = await start({ limits: { perMinute: 1, windowMs: 60_000 } });
    const a = fake.addTenant();
    const b = fake.addTenant();
    const xero = sdk(fake, fake.issueTokens([a, b]));
    await xero.accountingApi.getContacts(a);
    await xero.accountingApi.getContacts(b);
    expect((await rejectionOf(xero.accountingApi.getContacts(a))).response.statusCode).toBe(429);
    expect(fake.maxInWindow(a)).toBe(1);
    expect(fake.maxInWindow(b)).toBe(1);
  });
});

describe('fake Xero faults', () => {
  it('forces 429s for the next calls with the given Retry-After and problem', async () => {
    const { fake, tenantId, xero } = await connected();
    fake.faults.rateLimit(2, 7, 'day');
    for (let i = 0; i < 2; i++) {
      const limited = await rejectionOf(xero.accountingApi.getContacts(tenantId));
      expect(limited.response.statusCode).toBe(429);
      expect(limited.response.headers).toMatchObject({ 'retry-after': '7', 'x-rate-limit-problem': 'day', 'x-daylimit-remaining': '0' });
    }
    expect((await xero.accountingApi.getContacts(tenantId)).response.status).toBe(200);
  });

  it('answers every API and /connections call with the outage status while it lasts', async () => {
    const { fake, tenantId, tokens, xero } = await connected();
    fake.faults.outage(400);
    const down = await rejectionOf(xero.accountingApi.getContacts(tenantId));
    expect(down.response.statusCode).toBe(503);
    expect(down.response.body).toBe('The Xero API is currently offline for maintenance');
    expect(down.response.headers['x-minlimit-remaining']).toBe('60');
    expect((await fetch(`${fake.url}/connections`, { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(503);
    await sleep(450);
    expect((await xero.accountingApi.getContacts(tenantId)).response.status).toBe(200);

    fake.faults.outage(10_000, 500);
    expect((await rejectionOf(xero.accountingApi.getContacts(tenantId))).response.statusCode).toBe(500);
    fake.faults.clear();
    expect((await xero.accountingApi.getContacts(tenantId)).response.status).toBe(200);
    expect(fake.log.filter((e) => e.rejected === 'outage').map((e) => e.status)).toEqual([503, 503, 500]);
  });

  it('delays the given number of answers', async () => {
    const { fake, tenantId, xero } = await connected();
    fake.faults.slow(250, 1);
    const timed = async () => {
      const started = performance.now();
      await xero.accountingApi.getContacts(tenantId);
      return performance.now() - started;
    };
    expect(await timed()).toBeGreaterThanOrEqual(240);
    expect(await timed()).toBeLessThan(200);
  });

  it('drops connections without an answer', async () => {
    const { fake, tenantId, xero } = await connected();
    fake.faults.dropConnections(1);
    const dropped = await rejectionOf(xero.accountingApi.getContacts(tenantId));
    expect(dropped.response.statusCode).toBe(0);
    expect(dropped.response.body).toBe('socket hang up');
    expect(dropped.response.headers).toEqual({});
    expect((await xero.accountingApi.getContacts(tenantId)).response.status).toBe(200);
    expect(fake.log.filter((e) => e.kind === 'api').map((e) => [e.status, e.rejected])).toEqual([
      [0, 'dropped'],
      [200, undefined],
    ]);
  });
});

describe('fake Xero authentication', () => {
  it('answers 401 TokenExpired once the access token has lived accessTokenTtlSeconds by the clock', async () => {
    let clock = T0;
    const { tenantId, tokens, xero } = await connected({ now: () => clock, accessTokenTtlSeconds: 60 });
    expect(tokens.expires_in).toBe(60);
    expect((await xero.accountingApi.getContacts(tenantId)).response.status).toBe(200);
    clock += 60_000;
    const expired = await rejectionOf(xero.accountingApi.getContacts(tenantId));
    expect(expired.response.statusCode).toBe(401);
    expect(expired.response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    expect(expired.response.body).toMatchObject({ Type: null, Title: 'Unauthorized', Status: 401, Detail: 'TokenExpired: token expired at 01/01/2026 00:01:00' });
  });

  it('expires every access token issued so far on demand, but not later ones', async () => {
    const { fake, tenantId, xero } = await connected();
    fake.faults.expireAccessTokens();
    const expired = await rejectionOf(xero.accountingApi.getContacts(tenantId));
    expect(expired.response.statusCode).toBe(401);
    expect((expired.response.body as { Detail: string }).Detail).toMatch(/^TokenExpired: /);
    expect(fake.log.at(-1)?.rejected).toBe('auth');
    const fresh = sdk(fake, fake.issueTokens([tenantId]));
    expect((await fresh.accountingApi.getContacts(tenantId)).response.status).toBe(200);
  });

  it('answers 401 to an unknown token and 403 to a tenant the token is not for, or no tenant at all', async () => {
    const { fake, tenantId, tokens } = await connected();
    const other = fake.addTenant();
    const unknown = await rejectionOf(sdk(fake, { ...tokens, access_token: 'not-a-token' }).accountingApi.getContacts(tenantId));
    expect(unknown.response.statusCode).toBe(401);
    expect(unknown.response.body).toMatchObject({ Title: 'Unauthorized', Detail: 'AuthenticationUnsuccessful' });

    const forbidden = await rejectionOf(sdk(fake, tokens).accountingApi.getContacts(other));
    expect(forbidden.response.statusCode).toBe(403);
    expect(forbidden.response.body).toMatchObject({ Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' });

    const noTenant = await fetch(`${fake.url}/api.xro/2.0/Contacts`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(noTenant.status).toBe(403);
  });

  it('rotates refresh tokens through openid-client, lets the previous one replay the new pair within the grace period, and rejects it after', async () => {
    let clock = T0;
    const { fake, tenantId, tokens } = await connected({ now: () => clock, refreshGraceMs: 60_000 });
    const client = openIdClient(fake);

    const second = await client.refresh(tokens.refresh_token);
    expect(second.refresh_token).toBeDefined();
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    expect(second.access_token).not.toBe(tokens.access_token);
    expect(second.token_type).toBe('Bearer');
    expect(second.expires_in).toBe(1800);
    expect(fake.tokenRefreshes).toBe(1);
    expect((await sdk(fake, { ...tokens, access_token: second.access_token as string }).accountingApi.getContacts(tenantId)).response.status).toBe(200);

    clock += 59_000;
    const replay = await client.refresh(tokens.refresh_token);
    expect(replay.refresh_token).toBe(second.refresh_token);
    expect(replay.access_token).toBe(second.access_token);
    expect(fake.tokenRefreshes).toBe(1);
    expect(fake.graceRefreshes).toBe(1);

    clock += 2_000;
    expect((await opErrorOf(client.refresh(tokens.refresh_token))).error).toBe('invalid_grant');
    const third = await client.refresh(second.refresh_token as string);
    expect(third.refresh_token).not.toBe(second.refresh_token);
    expect(fake.tokenRefreshes).toBe(2);
  });

  it('replays the newest pair of the chain when an old refresh token comes back within its grace period', async () => {
    const { fake, tokens } = await connected();
    const client = openIdClient(fake);
    const second = await client.refresh(tokens.refresh_token);
    const third = await client.refresh(second.refresh_token as string);
    const replay = await client.refresh(tokens.refresh_token);
    expect(replay.refresh_token).toBe(third.refresh_token);
    expect(fake.tokenRefreshes).toBe(2);
  });

  it('answers invalid_grant to refreshes while the fault is on, and to unknown refresh tokens', async () => {
    const { fake, tokens } = await connected();
    const client = openIdClient(fake);
    fake.faults.invalidGrant();
    expect((await opErrorOf(client.refresh(tokens.refresh_token))).error).toBe('invalid_grant');
    fake.faults.invalidGrant(false);
    expect((await client.refresh(tokens.refresh_token)).access_token).toBeDefined();
    expect((await opErrorOf(client.refresh('never-issued'))).error).toBe('invalid_grant');
    expect(fake.tokenRefreshes).toBe(1);
  });

  it('answers invalid_client to wrong client credentials, and takes them from the form body too', async () => {
    const { fake, tokens } = await connected();
    const wrong = await opErrorOf(openIdClient(fake, 'wrong-secret').refresh(tokens.refresh_token));
    expect(wrong.error).toBe('invalid_client');
    expect(wrong.response?.statusCode).toBe(400);

    const viaBody = await fetch(`${fake.url}/connect/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: fake.clientId, client_secret: fake.clientSecret }),
    });
    expect(viaBody.status).toBe(200);
    const body = (await viaBody.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(body.token_type).toBe('Bearer');

    const basicWrong = await fetch(`${fake.url}/connect/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${fake.clientId}:nope`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: body.refresh_token as string }),
    });
    expect(basicWrong.status).toBe(400);
    expect(await basicWrong.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('lists the connections of a token at /connections', async () => {
    const fake = await start();
    const a = fake.addTenant({ tenantName: 'Harbour Physio' });
    const b = fake.addTenant({ tenantName: 'Harbour Physio (Wellington)' });
    fake.addTenant({ tenantName: 'Not connected' });
    const tokens = fake.issueTokens([a, b]);

    const res = await fetch(`${fake.url}/connections`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
    const list = (await res.json()) as Record<string, string>[];
    expect(list.map((c) => [c.tenantId, c.tenantName, c.tenantType])).toEqual([
      [a, 'Harbour Physio', 'ORGANISATION'],
      [b, 'Harbour Physio (Wellington)', 'ORGANISATION'],
    ]);
    for (const c of list) {
      expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(c.authEventId).toBe(list[0]?.authEventId);
      expect(c.createdDateUtc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}$/);
    }
    expect((await fetch(`${fake.url}/connections`)).status).toBe(401);
  });

  it('auto-consents at the authorize endpoint and exchanges the code once, for the same redirect_uri only', async () => {
    const fake = await start();
    const tenantId = fake.addTenant();
    const client = openIdClient(fake);
    const authorizeUrl = client.authorizationUrl({ redirect_uri: REDIRECT_URI, scope: 'offline_access accounting.contacts', state: 'st-123' });
    expect(authorizeUrl.startsWith(`${fake.url}/identity/connect/authorize?`)).toBe(true);

    const redirect = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.get('code')).toBeTruthy();

    const tokens = await client.oauthCallback(REDIRECT_URI, client.callbackParams(location.toString()), { state: 'st-123' });
    expect(tokens.refresh_token).toBeDefined();
    expect(tokens.scope).toBe('offline_access accounting.contacts');
    const xero = sdk(fake, { access_token: tokens.access_token as string, refresh_token: tokens.refresh_token as string, expires_in: 1800, token_type: 'Bearer', scope: '' });
    expect((await xero.accountingApi.getContacts(tenantId)).response.status).toBe(200);

    const reused = await opErrorOf(client.oauthCallback(REDIRECT_URI, client.callbackParams(location.toString()), { state: 'st-123' }));
    expect(reused.error).toBe('invalid_grant');

    const again = new URL((await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location') as string);
    const elsewhere = await opErrorOf(client.oauthCallback('http://127.0.0.1:5555/other', client.callbackParams(again.toString()), { state: 'st-123' }));
    expect(elsewhere.error).toBe('invalid_grant');
  });

  it('logs every request without its tokens', async () => {
    const { fake, tenantId, tokens, xero } = await connected();
    await xero.accountingApi.getContacts(tenantId, undefined, undefined, undefined, undefined, 2);
    const refreshed = await openIdClient(fake).refresh(tokens.refresh_token);
    await fetch(`${fake.url}/connections`, { headers: { Authorization: `Bearer ${refreshed.access_token}` } });

    expect(fake.log.map((e) => [e.kind, e.method, e.path, e.status])).toEqual([
      ['api', 'GET', '/api.xro/2.0/Contacts', 200],
      ['token', 'POST', '/connect/token', 200],
      ['connections', 'GET', '/connections', 200],
    ]);
    expect(fake.log[0]).toMatchObject({ tenantId, query: { page: '2' } });
    expect(fake.log.every((e) => e.finishedAt >= e.startedAt && e.startedAt > 0)).toBe(true);
    const text = JSON.stringify(fake.log);
    for (const secret of [tokens.access_token, tokens.refresh_token, refreshed.access_token, refreshed.refresh_token, fake.clientSecret]) {
      expect(text).not.toContain(secret);
    }
  });

  it('signs webhook bodies with the webhook key as Xero does', async () => {
    const fake = await start({ webhookKey: 'k3y' });
    const { createHmac } = await import('node:crypto');
    const body = '{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"X"}';
    expect(fake.signWebhook(body)).toBe(createHmac('sha256', 'k3y').update(body).digest('base64'));
  });
});

describe('xero-node rejection shapes (what the sync code classifies)', () => {
  it('is a JSON string of { response: { statusCode, body, headers, request }, body } for a 429', async () => {
    const { fake, tenantId, xero } = await connected();
    fake.faults.rateLimit(1, 3, 'minute');
    const r = await rejectionOf(xero.accountingApi.getContacts(tenantId));
    expect(Object.keys(r).sort()).toEqual(['body', 'response']);
    expect(Object.keys(r.response).sort()).toEqual(['body', 'headers', 'request', 'statusCode']);
    expect(r.body).toEqual(r.response.body);
    expect(r.response.headers).toMatchObject({
      'retry-after': '3',
      'x-rate-limit-problem': 'minute',
      'x-minlimit-remaining': '0',
      'x-daylimit-remaining': expect.stringMatching(/^\d+$/),
      'x-appminlimit-remaining': expect.stringMatching(/^\d+$/),
    });
    expect(r.response.request).toMatchObject({ method: 'GET', url: { path: '/api.xro/2.0/Contacts' } });
    // The bearer token is redacted from what the rejection carries.
    expect(JSON.stringify(r)).not.toMatch(/Bearer/);
  });
});
