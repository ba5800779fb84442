import { createHash, createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startWebhookServer, type WebhookChange, type WebhookServer, type WebhookServerOptions } from '../../worker/webhook-server';

const XERO_KEY = 'xero-webhook-key-0123456789abcdefghijklmnopqrstuvwxyz+/==';
const QBO_TOKEN = 'quickbooks-verifier-token-5b1e';
const TENANT_A = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f';
const TENANT_B = 'aef86862-2015-4b6b-88bc-d89032cecc50';
const REALM = '9341455130166501';

function sign(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

let sequence = 0;
function xeroBody(events: { category?: string; id: string; tenant?: string; type?: string }[]): string {
  sequence += 1;
  return JSON.stringify({
    events: events.map(({ category = 'CONTACT', id, tenant = TENANT_A, type = 'UPDATE' }) => ({
      resourceUrl: `https://api.xero.com/api.xro/2.0/Contacts/${id}`,
      resourceId: id,
      eventDateUtc: '2024-06-21T01:15:39.902',
      eventType: type,
      eventCategory: category,
      tenantId: tenant,
      tenantType: 'ORGANISATION',
    })),
    firstEventSequence: sequence,
    lastEventSequence: sequence,
    entropy: `ENTROPY${sequence}XYZ`,
  });
}

const INTENT_TO_RECEIVE = '{"events":[],"lastEventSequence":0,"firstEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}';

interface Harness {
  server: WebhookServer;
  calls: { provider: string; tenantId: string; changes: WebhookChange[]; at: number }[];
  remembered: Set<string>;
  rememberDelivery: ReturnType<typeof vi.fn<WebhookServerOptions['rememberDelivery']>>;
  logs: { level: string; obj: object; msg?: string }[];
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Response>;
  postXero(body: string, signature?: string): Promise<Response>;
}

const servers: WebhookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(overrides: Partial<WebhookServerOptions> = {}): Promise<Harness> {
  const calls: Harness['calls'] = [];
  const remembered = new Set<string>();
  const logs: Harness['logs'] = [];
  const log = (level: string) => (obj: object, msg?: string) => void logs.push({ level, obj, msg });
  const rememberDelivery = vi.fn<WebhookServerOptions['rememberDelivery']>(async (provider, digest) => {
    const key = `${provider}:${digest}`;
    if (remembered.has(key)) return false;
    remembered.add(key);
    return true;
  });
  const server = await startWebhookServer({
    port: 0,
    xeroWebhookKey: XERO_KEY,
    quickbooksVerifierToken: QBO_TOKEN,
    debounceMs: 100,
    rememberDelivery,
    onChanges: async (provider, tenantId, changes) => {
      calls.push({ provider, tenantId, changes, at: Date.now() });
    },
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    ...overrides,
  });
  servers.push(server);
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return {
    server,
    calls,
    remembered,
    rememberDelivery,
    logs,
    post,
    postXero: (body, signature = sign(body, XERO_KEY)) => post('/webhooks/xero', body, { 'x-xero-signature': signature }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('webhook server', () => {
  it('answers Xero intent-to-receive: 200 when signed, 401 when not, at once and with no body', async () => {
    const h = await start();
    const started = Date.now();
    const good = await h.postXero(INTENT_TO_RECEIVE);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('');
    expect(good.headers.get('set-cookie')).toBeNull();

    const bad = await h.postXero(INTENT_TO_RECEIVE, sign(INTENT_TO_RECEIVE, 'not-the-key'));
    expect(bad.status).toBe(401);
    expect((await h.post('/webhooks/xero', INTENT_TO_RECEIVE)).status).toBe(401);

    await sleep(250);
    expect(h.calls).toEqual([]);
    expect(h.rememberDelivery).not.toHaveBeenCalled();
  });

  it('answers a contact event before handing it on once, after the debounce', async () => {
    const h = await start({ debounceMs: 300 });
    const body = xeroBody([{ id: 'contact-1' }]);
    const response = await h.postXero(body);
    const answeredAt = Date.now();
    expect(response.status).toBe(200);
    expect(h.calls).toEqual([]);

    await vi.waitFor(() => expect(h.calls).toHaveLength(1), { timeout: 5_000, interval: 10 });
    expect(h.calls[0]!.at - answeredAt).toBeGreaterThanOrEqual(250);
    expect(h.calls[0]).toMatchObject({
      provider: 'xero',
      tenantId: TENANT_A,
      changes: [{ provider: 'xero', tenantId: TENANT_A, entity: 'Contact', entityId: 'contact-1', operation: 'Update' }],
    });
    // Remembered by the sha256 of the exact bytes received.
    expect([...h.remembered]).toEqual([`xero:${createHash('sha256').update(body).digest('hex')}`]);
    await sleep(400);
    expect(h.calls).toHaveLength(1);
  });

  it('coalesces the deliveries for one tenant into one call, and keeps tenants apart', async () => {
    const h = await start({ debounceMs: 500 });
    const responses = await Promise.all([
      h.postXero(xeroBody([{ id: 'contact-1' }, { id: 'invoice-1', category: 'INVOICE' }])),
      h.postXero(xeroBody([{ id: 'contact-2', type: 'CREATE' }, { id: 'contact-9', tenant: TENANT_B }])),
      h.postXero(xeroBody([{ id: 'contact-1' }, { id: 'contact-3' }])),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);

    await vi.waitFor(() => expect(h.calls).toHaveLength(2), { timeout: 5_000, interval: 10 });
    await sleep(600);
    expect(h.calls).toHaveLength(2);
    const a = h.calls.find((call) => call.tenantId === TENANT_A);
    const b = h.calls.find((call) => call.tenantId === TENANT_B);
    expect(a?.changes.map((c) => `${c.entityId}/${c.operation}`).sort()).toEqual(['contact-1/Update', 'contact-2/Create', 'contact-3/Update']);
    expect(b?.changes.map((c) => c.entityId)).toEqual(['contact-9']);
    expect(h.calls.every((call) => call.provider === 'xero' && call.changes.every((c) => c.entity === 'Contact'))).toBe(true);
  });

  it.each([
    ['a tampered body', (body: string) => ({ body: body.replace('contact-1', 'contact-6'), signature: sign(body, XERO_KEY) })],
    ['a signature made with another key', (body: string) => ({ body, signature: sign(body, QBO_TOKEN) })],
    ['no signature', (body: string) => ({ body, signature: undefined })],
    ['a signature of the wrong length', (body: string) => ({ body, signature: sign(body, XERO_KEY).slice(0, 20) })],
    ['a signature that is not base64', (body: string) => ({ body, signature: '%'.repeat(44) })],
  ])('refuses %s with 401 and starts nothing', async (_name, make) => {
    const h = await start({ debounceMs: 50 });
    const { body, signature } = make(xeroBody([{ id: 'contact-1' }]));
    const response = await h.post('/webhooks/xero', body, signature === undefined ? {} : { 'x-xero-signature': signature });
    expect(response.status).toBe(401);
    await sleep(200);
    expect(h.calls).toEqual([]);
    expect(h.rememberDelivery).not.toHaveBeenCalled();
    expect(h.logs.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('answers a replayed delivery with 200 and hands nothing on again', async () => {
    const h = await start({ debounceMs: 50 });
    const body = xeroBody([{ id: 'contact-1' }]);
    expect((await h.postXero(body)).status).toBe(200);
    await vi.waitFor(() => expect(h.calls).toHaveLength(1), { timeout: 5_000, interval: 10 });

    const replay = await h.postXero(body);
    expect(replay.status).toBe(200);
    await sleep(250);
    expect(h.calls).toHaveLength(1);
    expect(h.rememberDelivery).toHaveBeenCalledTimes(2);

    // A new delivery about the same contact is not a replay.
    expect((await h.postXero(xeroBody([{ id: 'contact-1' }]))).status).toBe(200);
    await vi.waitFor(() => expect(h.calls).toHaveLength(2), { timeout: 5_000, interval: 10 });
  });

  it('receives QuickBooks customers in both formats, signed with the verifier token', async () => {
    const h = await start({ debounceMs: 500 });
    const legacy = JSON.stringify({
      eventNotifications: [
        {
          realmId: REALM,
          dataChangeEvent: {
            entities: [
              { name: 'Customer', id: '58', operation: 'Update', lastUpdated: '2025-09-08T20:52:31.657Z' },
              { name: 'Invoice', id: '130', operation: 'Create', lastUpdated: '2025-09-08T20:52:31.657Z' },
            ],
          },
        },
      ],
    });
    const cloudEvents = JSON.stringify([
      {
        specversion: '1.0',
        id: 'e1',
        source: 'intuit.abc',
        type: 'qbo.customer.created.v1',
        datacontenttype: 'application/json',
        time: '2025-09-10T21:31:25.179851517Z',
        intuitentityid: '59',
        intuitaccountid: REALM,
        data: {},
      },
      {
        specversion: '1.0',
        id: 'e2',
        source: 'intuit.abc',
        type: 'qbo.vendor.updated.v1',
        time: '2025-09-10T21:31:25Z',
        intuitentityid: '3',
        intuitaccountid: REALM,
      },
    ]);
    for (const body of [legacy, cloudEvents]) {
      const response = await h.post('/webhooks/quickbooks', body, { 'intuit-signature': sign(body, QBO_TOKEN) });
      expect(response.status).toBe(200);
    }
    const wrongKey = await h.post('/webhooks/quickbooks', legacy, { 'intuit-signature': sign(legacy, XERO_KEY) });
    expect(wrongKey.status).toBe(401);
    // The Xero header does not sign a QuickBooks delivery.
    expect((await h.post('/webhooks/quickbooks', legacy, { 'x-xero-signature': sign(legacy, QBO_TOKEN) })).status).toBe(401);

    await vi.waitFor(() => expect(h.calls).toHaveLength(1), { timeout: 5_000, interval: 10 });
    await sleep(600);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]).toMatchObject({ provider: 'quickbooks', tenantId: REALM });
    expect(h.calls[0]!.changes.map((c) => `${c.entity}/${c.entityId}/${c.operation}`)).toEqual(['Customer/58/Update', 'Customer/59/Create']);
  });

  it('acknowledges deliveries with nothing to act on without remembering or dispatching them', async () => {
    const h = await start({ debounceMs: 50 });
    expect((await h.postXero(xeroBody([{ id: 'invoice-1', category: 'INVOICE' }, { id: 'cn-1', category: 'CREDITNOTE' }]))).status).toBe(200);
    await sleep(200);
    expect(h.calls).toEqual([]);
    expect(h.rememberDelivery).not.toHaveBeenCalled();
  });

  it.each([
    ['not JSON', '{"events": ['],
    ['JSON that is not a delivery', '{"hello":"world"}'],
  ])('answers a signed body that is %s with 400', async (_name, body) => {
    const h = await start({ debounceMs: 50 });
    expect((await h.postXero(body)).status).toBe(400);
    expect((await h.post('/webhooks/quickbooks', body, { 'intuit-signature': sign(body, QBO_TOKEN) })).status).toBe(400);
    // Unsigned, it is 401: the signature is checked before the body is read as JSON.
    expect((await h.postXero(body, sign(body, 'wrong'))).status).toBe(401);
    await sleep(150);
    expect(h.calls).toEqual([]);
    expect(h.rememberDelivery).not.toHaveBeenCalled();
  });

  it('answers 413 to a body beyond the limit, with or without a declared length', async () => {
    const h = await start({ maxBodyBytes: 1024, debounceMs: 50 });
    const big = xeroBody(Array.from({ length: 20 }, (_, i) => ({ id: `contact-${i}` })));
    expect(Buffer.byteLength(big)).toBeGreaterThan(1024);
    expect((await h.postXero(big)).status).toBe(413);

    const streamed = await fetch(`${h.server.url}/webhooks/xero`, {
      method: 'POST',
      headers: { 'x-xero-signature': sign(big, XERO_KEY) },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < big.length; i += 256) controller.enqueue(new TextEncoder().encode(big.slice(i, i + 256)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);

    const small = xeroBody([{ id: 'contact-1' }]);
    expect(Buffer.byteLength(small)).toBeLessThan(1024);
    expect((await h.postXero(small)).status).toBe(200);
    await vi.waitFor(() => expect(h.calls).toHaveLength(1), { timeout: 5_000, interval: 10 });
    expect(h.calls[0]!.changes.map((c) => c.entityId)).toEqual(['contact-1']);
  });

  it('answers 404 for a provider that is not configured', async () => {
    const xeroOnly = await start({ quickbooksVerifierToken: undefined });
    const body = JSON.stringify({ eventNotifications: [] });
    expect((await xeroOnly.post('/webhooks/quickbooks', body, { 'intuit-signature': sign(body, QBO_TOKEN) })).status).toBe(404);
    expect((await xeroOnly.postXero(INTENT_TO_RECEIVE)).status).toBe(200);

    const quickBooksOnly = await start({ xeroWebhookKey: undefined });
    expect((await quickBooksOnly.postXero(INTENT_TO_RECEIVE)).status).toBe(404);
    expect((await quickBooksOnly.post('/webhooks/quickbooks', body, { 'intuit-signature': sign(body, QBO_TOKEN) })).status).toBe(200);
  });

  it('routes: health, unknown paths and methods', async () => {
    const h = await start();
    const health = await fetch(`${h.server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    expect((await fetch(`${h.server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${h.server.url}/webhooks/xero`)).status).toBe(405);
    expect((await h.post('/healthz', '{}')).status).toBe(405);
    // A query string does not change the route.
    const withQuery = await h.post('/webhooks/xero?source=xero', INTENT_TO_RECEIVE, { 'x-xero-signature': sign(INTENT_TO_RECEIVE, XERO_KEY) });
    expect(withQuery.status).toBe(200);
  });

  it('keeps serving when onChanges throws, and logs the failure', async () => {
    let attempts = 0;
    const h = await start({
      debounceMs: 50,
      onChanges: async (provider, tenantId, changes) => {
        attempts += 1;
        if (attempts === 1) throw new Error('temporal is down');
        h.calls.push({ provider, tenantId, changes, at: Date.now() });
      },
    });
    expect((await h.postXero(xeroBody([{ id: 'contact-1' }]))).status).toBe(200);
    await vi.waitFor(() => expect(h.logs.filter((l) => l.level === 'error')).toHaveLength(1), { timeout: 5_000, interval: 10 });
    expect(h.logs.find((l) => l.level === 'error')?.obj).toMatchObject({ provider: 'xero', tenantId: TENANT_A, changes: 1 });

    expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
    expect((await h.postXero(xeroBody([{ id: 'contact-2' }]))).status).toBe(200);
    await vi.waitFor(() => expect(h.calls).toHaveLength(1), { timeout: 5_000, interval: 10 });
    expect(h.calls[0]!.changes.map((c) => c.entityId)).toEqual(['contact-2']);
  });

  it('answers 500 and dispatches nothing when the delivery cannot be remembered', async () => {
    const h = await start({
      debounceMs: 50,
      rememberDelivery: async () => {
        throw new Error('database unavailable');
      },
    });
    expect((await h.postXero(xeroBody([{ id: 'contact-1' }]))).status).toBe(500);
    await sleep(200);
    expect(h.calls).toEqual([]);
  });

  it('never runs two onChanges calls for one tenant at once', async () => {
    let running = 0;
    let overlapped = false;
    const h = await start({
      debounceMs: 20,
      onChanges: async (provider, tenantId, changes) => {
        running += 1;
        if (running > 1) overlapped = true;
        await sleep(300);
        running -= 1;
        h.calls.push({ provider, tenantId, changes, at: Date.now() });
      },
    });
    expect((await h.postXero(xeroBody([{ id: 'contact-1' }]))).status).toBe(200);
    await sleep(100); // the first batch is being handled
    expect((await h.postXero(xeroBody([{ id: 'contact-2' }]))).status).toBe(200);
    await vi.waitFor(() => expect(h.calls).toHaveLength(2), { timeout: 5_000, interval: 10 });
    expect(overlapped).toBe(false);
    expect(h.calls.map((c) => c.changes[0]?.entityId)).toEqual(['contact-1', 'contact-2']);
  });

  it('close() hands pending batches on before it resolves, and stops listening', async () => {
    const h = await start({ debounceMs: 60_000 });
    expect((await h.postXero(xeroBody([{ id: 'contact-1' }]))).status).toBe(200);
    expect((await h.postXero(xeroBody([{ id: 'contact-2', tenant: TENANT_B }]))).status).toBe(200);
    await sleep(50);
    expect(h.calls).toEqual([]);

    await h.server.close();
    expect(h.calls.map((c) => c.tenantId).sort()).toEqual([TENANT_A, TENANT_B].sort());
    await expect(fetch(`${h.server.url}/healthz`)).rejects.toThrow();
    await h.server.close(); // a second close is harmless
    expect(h.calls).toHaveLength(2);
  });

  it('close() lets a request under way finish and hands its changes on, without waiting for idle connections', async () => {
    const h = await start({
      debounceMs: 60_000,
      rememberDelivery: async () => {
        await sleep(300);
        return true;
      },
    });
    await (await fetch(`${h.server.url}/healthz`)).text(); // leaves a kept-alive connection open
    const pending = h.postXero(xeroBody([{ id: 'contact-1' }]));
    await sleep(100);
    const started = Date.now();
    await h.server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await pending).status).toBe(200);
    expect(h.calls.map((c) => c.changes.map((change) => change.entityId))).toEqual([['contact-1']]);
  });

  it('logs counts and tenant ids, never bodies, signatures or keys', async () => {
    const h = await start({ debounceMs: 20 });
    const body = xeroBody([{ id: 'contact-secret-77' }]);
    const signature = sign(body, XERO_KEY);
    await h.postXero(body);
    await h.postXero(body, sign(body, 'wrong'));
    await h.postXero('{"events": [', sign('{"events": [', XERO_KEY));
    await vi.waitFor(() => expect(h.calls).toHaveLength(1), { timeout: 5_000, interval: 10 });
    const logged = JSON.stringify(h.logs);
    expect(h.logs.length).toBeGreaterThanOrEqual(4);
    expect(logged).toContain(TENANT_A);
    for (const secret of [XERO_KEY, QBO_TOKEN, signature, 'contact-secret-77', `ENTROPY${sequence}XYZ`]) expect(logged).not.toContain(secret);
  });
});
