import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XeroClient } from 'xero-node';
import { parse } from 'yaml';
import { startFakeXero, type FakeRequestLogEntry, type FakeXero, type XeroTokenResponse } from '../../fakes/xero/server';

/**
 * The fake Xero against Xero's official OpenAPI specifications, read from the `shared` folder beside the repository
 * (never copied into it): the requests the real xero-node SDK sends to the fake use only the parameters and headers
 * the spec declares for the operation, and the fake's answers validate against the spec's schemas.
 */

const SPEC_DIR = path.resolve(__dirname, '../../../shared/reference/xero');
const ACCOUNTING_SPEC = path.join(SPEC_DIR, 'xero_accounting.yaml');
const IDENTITY_SPEC = path.join(SPEC_DIR, 'xero-identity.yaml');
const SPECS_PRESENT = existsSync(ACCOUNTING_SPEC) && existsSync(IDENTITY_SPEC);
if (!SPECS_PRESENT) {
  process.stderr.write(`[xero contract] skipped: Xero's OpenAPI specs are not in ${SPEC_DIR} (the shared folder beside the repository)\n`);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface SpecParameter {
  in: 'query' | 'header' | 'path' | 'cookie';
  name: string;
  required?: boolean;
  style?: string;
  explode?: boolean;
  schema?: JsonObject;
}

interface MatchedOperation {
  operationId: string;
  operation: JsonObject;
  parameters: SpecParameter[];
  pathParams: Record<string, string>;
}

/** Headers any HTTP client sends that an API spec does not declare as parameters. */
const TRANSPORT_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'authorization', 'connection', 'content-length', 'content-type', 'host', 'user-agent', 'sec-fetch-mode']);
const MS_DATE = /^\/Date\(-?\d+([+-]\d{4})?\)\/$/;

/** Drops the sibling keys of every `$ref` (strict validators reject them); returns how many $refs had any. */
function stripRefSiblings(node: Json): number {
  if (Array.isArray(node)) return node.reduce<number>((n, item) => n + stripRefSiblings(item), 0);
  if (node === null || typeof node !== 'object') return 0;
  let stripped = 0;
  if ('$ref' in node && Object.keys(node).length > 1) {
    for (const key of Object.keys(node)) if (key !== '$ref') delete node[key];
    stripped++;
  }
  for (const value of Object.values(node)) stripped += stripRefSiblings(value);
  return stripped;
}

function refsWithSiblings(node: Json): number {
  if (Array.isArray(node)) return node.reduce<number>((n, item) => n + refsWithSiblings(item), 0);
  if (node === null || typeof node !== 'object') return 0;
  const own = '$ref' in node && Object.keys(node).length > 1 ? 1 : 0;
  return Object.values(node).reduce<number>((n, value) => n + refsWithSiblings(value), own);
}

function pointer(doc: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are expected here: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((node, part) => (node as JsonObject)[part.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, doc);
}

function deref<T>(doc: JsonObject, node: Json): T {
  return (node !== null && typeof node === 'object' && !Array.isArray(node) && typeof node.$ref === 'string' ? pointer(doc, node.$ref) : node) as T;
}

/** The spec operations whose path template matches a request path (below the server's base path). */
function operationsFor(doc: JsonObject, method: string, requestPath: string, caseInsensitive = false): MatchedOperation[] {
  const matches: MatchedOperation[] = [];
  for (const [template, item] of Object.entries(doc.paths as JsonObject)) {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_whole, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').exec(requestPath);
    const pathItem = item as JsonObject;
    const operation = pathItem[method.toLowerCase()] as JsonObject | undefined;
    if (match === null || operation === undefined) continue;
    const parameters = [...((pathItem.parameters as Json[] | undefined) ?? []), ...((operation.parameters as Json[] | undefined) ?? [])].map((p) => deref<SpecParameter>(doc, p));
    matches.push({
      operationId: operation.operationId as string,
      operation,
      parameters,
      pathParams: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)])),
    });
  }
  return matches;
}

/** Turns a parameter's text into the JSON value its schema describes (OpenAPI's form style, explode false, for arrays). */
function parameterValue(parameter: SpecParameter, text: string): Json {
  const schema = parameter.schema ?? {};
  switch (schema.type) {
    case 'integer':
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'array':
      return parameter.explode === false || parameter.style === 'form' ? text.split(',') : [text];
    default:
      return text;
  }
}

describe.skipIf(!SPECS_PRESENT)(`fake Xero against the official OpenAPI specs (skipped when ${path.basename(SPEC_DIR)} is absent)`, () => {
  let accounting: JsonObject;
  let identity: JsonObject;
  let siblingsStripped = 0;
  /** Validates the fake's answers: unknown properties rejected on the objects the fake writes; Xero's zone-less dates. */
  let responses: Ajv;
  /** Validates request parameters with the standard formats. */
  let requests: Ajv;
  let fake: FakeXero;
  let tenantId: string;
  let tokens: XeroTokenResponse;
  let xero: XeroClient;

  const schemaValidators = new Map<string, ValidateFunction>();
  function validatorFor(ref: string): ValidateFunction {
    let validate = schemaValidators.get(ref);
    if (validate === undefined) {
      validate = responses.compile({ $ref: ref });
      schemaValidators.set(ref, validate);
    }
    return validate;
  }

  function schemaProblems(ref: string, body: unknown): string[] {
    const validate = validatorFor(ref);
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }

  /** What in a logged request the spec does not declare for its operation; empty when it all fits. */
  function requestProblems(doc: JsonObject, basePath: string, entry: FakeRequestLogEntry, caseInsensitivePaths = false): { operationIds: string[]; problems: string[] } {
    const below = entry.path.slice(basePath.length) || '/';
    const candidates = operationsFor(doc, entry.method, below, caseInsensitivePaths);
    if (candidates.length === 0) return { operationIds: [], problems: [`no operation for ${entry.method} ${entry.path}`] };
    const results = candidates.map((op) => ({ op, problems: operationProblems(op, entry) }));
    const fitting = results.filter((r) => r.problems.length === 0);
    return fitting.length > 0
      ? { operationIds: fitting.map((r) => r.op.operationId), problems: [] }
      : { operationIds: [], problems: results.flatMap((r) => r.problems.map((p) => `${r.op.operationId}: ${p}`)) };
  }

  function operationProblems(op: MatchedOperation, entry: FakeRequestLogEntry): string[] {
    const problems: string[] = [];
    const check = (parameter: SpecParameter, text: string) => {
      if (parameter.schema === undefined) return;
      const validate = requests.compile(parameter.schema);
      if (!validate(parameterValue(parameter, text))) problems.push(`${parameter.in} ${parameter.name}=${JSON.stringify(text)}: ${requests.errorsText(validate.errors)}`);
    };
    for (const [name, value] of Object.entries(op.pathParams)) {
      const parameter = op.parameters.find((p) => p.in === 'path' && p.name === name);
      if (parameter === undefined) problems.push(`path parameter ${name} is not declared`);
      else check(parameter, value);
    }
    for (const [name, value] of Object.entries(entry.query)) {
      const parameter = op.parameters.find((p) => p.in === 'query' && p.name === name);
      if (parameter === undefined) problems.push(`query parameter ${name} is not declared`);
      else check(parameter, value);
    }
    for (const [name, value] of Object.entries(entry.headers)) {
      if (TRANSPORT_HEADERS.has(name)) continue;
      const parameter = op.parameters.find((p) => p.in === 'header' && p.name.toLowerCase() === name);
      if (parameter === undefined) problems.push(`header ${name} is not declared`);
      else check(parameter, value);
    }
    for (const parameter of op.parameters) {
      if (parameter.required !== true) continue;
      const sent = parameter.in === 'header' ? parameter.name.toLowerCase() in entry.headers : parameter.in === 'query' ? parameter.name in entry.query : true;
      if (!sent) problems.push(`required ${parameter.in} parameter ${parameter.name} is missing`);
    }
    const security = (op.operation.security as JsonObject[] | undefined) ?? [];
    if (security.some((s) => 'OAuth2' in s) && !/^Bearer /.test(entry.headers.authorization ?? '')) problems.push('OAuth2 operation without a Bearer token');
    return problems;
  }

  beforeAll(async () => {
    accounting = parse(readFileSync(ACCOUNTING_SPEC, 'utf8')) as JsonObject;
    identity = parse(readFileSync(IDENTITY_SPEC, 'utf8')) as JsonObject;
    siblingsStripped = stripRefSiblings(accounting) + stripRefSiblings(identity);

    // The objects the fake writes may carry only what the spec declares (the spec itself leaves them open).
    const strict = (doc: JsonObject, names: string[]) => {
      for (const name of names) ((doc.components as JsonObject).schemas as JsonObject)[name] = { ...(((doc.components as JsonObject).schemas as JsonObject)[name] as JsonObject), additionalProperties: false };
    };
    strict(accounting, ['Contact', 'Phone', 'Address', 'Pagination', 'Error', 'Element', 'ValidationError']);
    strict(identity, ['Connection']);

    responses = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(responses, ['uuid', 'date', 'email', 'uri', 'int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']);
    // Xero writes date-times without a zone (UTC), e.g. a connection's "2019-12-07T18:46:19.5165400".
    responses.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/i);
    // Fields marked x-is-msdate(-time) are plain strings in the spec and "/Date(ms+0000)/" on the wire.
    for (const keyword of ['x-is-msdate', 'x-is-msdate-time']) {
      responses.addKeyword({ keyword, type: 'string', errors: false, validate: (on: boolean, data: string) => !on || MS_DATE.test(data) });
    }
    responses.addSchema(accounting as object, 'accounting.json');
    responses.addSchema(identity as object, 'identity.json');

    requests = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(requests);

    fake = await startFakeXero();
    tenantId = fake.addTenant({ tenantName: 'Contract Physio' });
    tokens = fake.issueTokens([tenantId]);
    xero = new XeroClient({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUris: ['http://127.0.0.1:5555/callback'], scopes: ['accounting.contacts'] });
    xero.accountingApi.basePath = `${fake.url}/api.xro/2.0`;
    xero.setTokenSet({ ...tokens });
    fake.upsertContact(tenantId, {
      Name: 'Aroha Ngata',
      FirstName: 'Aroha',
      LastName: 'Ngata',
      EmailAddress: 'aroha@example.com',
      ContactNumber: 'SB-1',
      AccountNumber: 'ACC-1',
      CompanyNumber: 'NZBN-1',
      Phones: [{ PhoneType: 'MOBILE', PhoneCountryCode: '64', PhoneAreaCode: '21', PhoneNumber: '555 0101' }],
      Addresses: [{ AddressType: 'POBOX', AddressLine1: 'PO Box 1', City: 'Wellington', PostalCode: '6140', Country: 'New Zealand', AttentionTo: 'Accounts' }],
      IsCustomer: true,
      UpdatedDateUTC: Date.parse('2026-02-01T00:00:00Z'),
    });
    fake.seedContacts(tenantId, 30, (i) => ({ UpdatedDateUTC: Date.parse('2026-01-01T00:00:00Z') + i }));
    fake.archiveContact(tenantId, fake.contacts(tenantId)[0]?.ContactID as string);
  });

  afterAll(async () => {
    await fake?.close();
  });

  it('loads the specs with the sibling keys of $refs stripped', () => {
    // 28 such $refs in the July 2026 snapshot of the accounting spec; strict validators reject them.
    expect(siblingsStripped).toBeGreaterThan(0);
    expect(refsWithSiblings(accounting) + refsWithSiblings(identity)).toBe(0);
  });

  it('xero-node sends getContacts and getContact only the parameters and headers the spec declares', async () => {
    const ids = fake.contacts(tenantId).slice(0, 3).map((c) => c.ContactID);
    fake.log.length = 0;
    await xero.accountingApi.getContacts(tenantId, new Date('2025-12-31T00:00:00.000Z'), 'ContactStatus=="ACTIVE"', 'UpdatedDateUTC ASC', ids, 1, true, true, 'seed', 1000);
    await xero.accountingApi.getContacts(tenantId);
    await xero.accountingApi.getContact(tenantId, ids[1] as string);
    const calls = fake.log.filter((e) => e.kind === 'api');
    expect(calls).toHaveLength(3);
    expect(calls[0]?.query).toEqual({
      where: 'ContactStatus=="ACTIVE"',
      order: 'UpdatedDateUTC ASC',
      IDs: ids.join(','),
      page: '1',
      includeArchived: 'true',
      summaryOnly: 'true',
      searchTerm: 'seed',
      pageSize: '1000',
    });
    expect(calls[0]?.headers['if-modified-since']).toBe('2025-12-31T00:00:00.000Z');

    const checked = calls.map((entry) => requestProblems(accounting, '/api.xro/2.0', entry));
    expect(checked.map((c) => c.problems)).toEqual([[], [], []]);
    expect(checked[0]?.operationIds).toEqual(['getContacts']);
    expect(checked[2]?.operationIds).toContain('getContact');

    // The check itself can fail: a parameter the operation does not have, a wrongly typed one, a missing tenant.
    const forged: FakeRequestLogEntry = { ...(calls[0] as FakeRequestLogEntry), query: { limit: '5', page: 'one' }, headers: { authorization: 'Bearer [redacted]' } };
    expect(requestProblems(accounting, '/api.xro/2.0', forged).problems).toEqual([
      'getContacts: query parameter limit is not declared',
      expect.stringMatching(/^getContacts: query page="one": /),
      'getContacts: required header parameter xero-tenant-id is missing',
    ]);
  });

  it('the Contacts list and single contact answers validate against the Contacts schema, with /Date()/ dates', async () => {
    const list = await xero.accountingApi.getContacts(tenantId, undefined, undefined, 'UpdatedDateUTC ASC', undefined, 1, true, undefined, undefined, 1000);
    const listBody = list.response.data as JsonObject;
    expect((listBody.Contacts as Json[]).length).toBe(31);
    expect(schemaProblems('accounting.json#/components/schemas/Contacts', listBody)).toEqual([]);
    expect(listBody).toMatchObject({ Status: 'OK', DateTimeUTC: expect.stringMatching(MS_DATE), Id: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const id = fake.contacts(tenantId).find((c) => c.Name === 'Aroha Ngata')?.ContactID as string;
    const single = await xero.accountingApi.getContact(tenantId, id);
    const singleBody = single.response.data as JsonObject;
    expect(schemaProblems('accounting.json#/components/schemas/Contacts', singleBody)).toEqual([]);
    const contact = (singleBody.Contacts as JsonObject[])[0] as JsonObject;
    expect(contact.UpdatedDateUTC).toMatch(MS_DATE);
    expect(contact).toMatchObject({ ContactNumber: 'SB-1', AccountNumber: 'ACC-1', CompanyNumber: 'NZBN-1', IsCustomer: true, IsSupplier: false });

    // The validator does catch what the spec forbids: an ISO date where Xero writes /Date()/, a field it lacks, a bad enum.
    const broken = { Contacts: [{ ...contact, UpdatedDateUTC: '2026-02-01T00:00:00Z', Nickname: 'Ro', Phones: [{ PhoneType: 'PAGER' }] }] };
    const problems = schemaProblems('accounting.json#/components/schemas/Contacts', broken);
    expect(problems.join('\n')).toMatch(/\/Contacts\/0\/UpdatedDateUTC/);
    expect(problems.join('\n')).toMatch(/Nickname/);
    expect(problems.join('\n')).toMatch(/\/Contacts\/0\/Phones\/0\/PhoneType/);
  });

  it('a 400 for an unreadable where validates against Error, the schema of the spec’s 400Error response', async () => {
    const failure = await xero.accountingApi.getContacts(tenantId, undefined, 'Name ==').then(
      () => undefined,
      (error: unknown) => error,
    );
    const rejection = JSON.parse(failure as string) as { response: { statusCode: number; body: Json } };
    expect(rejection.response.statusCode).toBe(400);
    const declared = deref<JsonObject>(accounting, ((accounting.components as JsonObject).responses as JsonObject)['400Error'] as Json);
    const schemaRef = (((declared.content as JsonObject)['application/json'] as JsonObject).schema as JsonObject).$ref as string;
    expect(schemaRef).toBe('#/components/schemas/Error');
    expect(schemaProblems(`accounting.json${schemaRef}`, rejection.response.body)).toEqual([]);
    expect(schemaProblems(`accounting.json${schemaRef}`, { ErrorNumber: '16', Detail: 'x' })).not.toEqual([]);
  });

  it('declares no 401, 403 or 429 bodies for the Contacts reads (their shapes are checked in xero-fake.test.ts)', () => {
    for (const [template, operationId] of [
      ['/Contacts', 'getContacts'],
      ['/Contacts/{ContactID}', 'getContact'],
    ] as const) {
      const operation = ((accounting.paths as JsonObject)[template] as JsonObject).get as JsonObject;
      expect(operation.operationId).toBe(operationId);
      expect(Object.keys(operation.responses as JsonObject)).toEqual(['200']);
    }
  });

  it('GET /connections: the request fits the identity spec and the answer validates against Connection[]', async () => {
    fake.log.length = 0;
    const res = await fetch(`${fake.url}/connections`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    const entry = fake.log.find((e) => e.kind === 'connections') as FakeRequestLogEntry;
    const checked = requestProblems(identity, '', entry, true);
    expect(checked).toEqual({ operationIds: ['getConnections'], problems: [] });

    const operation = ((identity.paths as JsonObject)['/Connections'] as JsonObject).get as JsonObject;
    const schema = ((((operation.responses as JsonObject)['200'] as JsonObject).content as JsonObject)['application/json'] as JsonObject).schema as JsonObject;
    expect(schema).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Connection' } });
    expect(schemaProblems('identity.json#/components/schemas/Connection', (body as Json[])[0])).toEqual([]);
    expect(body as Json[]).toHaveLength(1);
    expect(schemaProblems('identity.json#/components/schemas/Connection', { ...((body as JsonObject[])[0] as JsonObject), tenantId: 'not-a-uuid' })).not.toEqual([]);
  });

  it('the token endpoint answers in the shape of the identity spec’s AccessToken', async () => {
    const res = await fetch(`${fake.url}/connect/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as JsonObject;
    expect(schemaProblems('identity.json#/components/schemas/AccessToken', body)).toEqual([]);
    expect(Object.keys(body).filter((key) => key !== 'scope')).toEqual(
      expect.arrayContaining(Object.keys((((identity.components as JsonObject).schemas as JsonObject).AccessToken as JsonObject).properties as JsonObject).filter((key) => key !== 'id_token')),
    );
  });
});
