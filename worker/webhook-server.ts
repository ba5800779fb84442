import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  parseQuickBooksWebhook,
  quickBooksCustomerChanges,
  QUICKBOOKS_SIGNATURE_HEADER,
  verifyQuickBooksSignature,
} from '../connectors/webhooks/quickbooks';
import {
  parseXeroWebhook,
  verifyXeroSignature,
  XERO_SIGNATURE_HEADER,
  xeroContactChanges,
  type WebhookChange,
  type WebhookParseResult,
  type WebhookProvider,
} from '../connectors/webhooks/xero';

export type { WebhookChange, WebhookProvider } from '../connectors/webhooks/xero';

export interface WebhookLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WebhookServerOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** 0 picks a free port (tests); WEBHOOK_PORT in production. */
  port: number;
  /** Without it, /webhooks/xero answers 404 (not configured). */
  xeroWebhookKey?: string;
  /** Without it, /webhooks/quickbooks answers 404 (not configured). */
  quickbooksVerifierToken?: string;
  /**
   * Records a verified delivery that names changes to act on, by the sha256 hex digest of its raw body. Returns false
   * when this exact delivery was already handled (a replay): the server answers 200 and starts nothing. When it throws,
   * the server answers 500 so that the provider delivers again later.
   */
  rememberDelivery(provider: WebhookProvider, digest: string): Promise<boolean>;
  /**
   * Called after the debounce with the changes of one tenant (contacts / customers only), never twice at once for one
   * (provider, tenant). Its errors are logged; the delivery was already answered.
   */
  onChanges(provider: WebhookProvider, tenantId: string, changes: WebhookChange[]): Promise<void>;
  /**
   * Default 5_000. Changes for one (provider, tenantId) are gathered from the first one's arrival for this long, then
   * handed to onChanges in one call. The window does not restart on each delivery, so a steady stream still flushes.
   */
  debounceMs?: number;
  /** Pino-compatible. Bodies, signatures and keys are never logged: counts and tenant ids only. */
  logger: WebhookLogger;
  /** Default 1 MiB; larger bodies are answered 413. */
  maxBodyBytes?: number;
}

export interface WebhookServer {
  /** e.g. http://127.0.0.1:43117 */
  url: string;
  port: number;
  /** Stops listening, waits for requests under way, hands every pending batch to onChanges and waits for those calls. */
  close(): Promise<void>;
}

interface ProviderRoute {
  provider: WebhookProvider;
  secret: string | undefined;
  header: string;
  verify(rawBody: Uint8Array, signature: string | string[] | undefined, secret: string): boolean;
  parse(rawBody: Uint8Array): WebhookParseResult & { intentToReceive?: boolean };
  relevant(changes: readonly WebhookChange[]): WebhookChange[];
}

interface Batch {
  provider: WebhookProvider;
  tenantId: string;
  /** By entity, id and operation, so a record changed twice in the window is passed once (the later). */
  changes: Map<string, WebhookChange>;
  timer: NodeJS.Timeout;
}

const DEFAULT_DEBOUNCE_MS = 5_000;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** How long close() lets requests under way finish before it cuts their connections. */
const CLOSE_GRACE_MS = 5_000;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        settled = true;
        req.off('data', onData);
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!settled) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
  });
}

function batchKey(provider: WebhookProvider, tenantId: string): string {
  return `${provider}\u0000${tenantId}`;
}

/** Starts the HTTP receiver for Xero and QuickBooks webhooks: POST /webhooks/xero, POST /webhooks/quickbooks, GET /healthz. */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { logger } = options;
  const host = options.host ?? '127.0.0.1';
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const routes = new Map<string, ProviderRoute>([
    [
      '/webhooks/xero',
      {
        provider: 'xero',
        secret: options.xeroWebhookKey || undefined,
        header: XERO_SIGNATURE_HEADER,
        verify: verifyXeroSignature,
        parse: parseXeroWebhook,
        relevant: xeroContactChanges,
      },
    ],
    [
      '/webhooks/quickbooks',
      {
        provider: 'quickbooks',
        secret: options.quickbooksVerifierToken || undefined,
        header: QUICKBOOKS_SIGNATURE_HEADER,
        verify: verifyQuickBooksSignature,
        parse: parseQuickBooksWebhook,
        relevant: quickBooksCustomerChanges,
      },
    ],
  ]);

  const batches = new Map<string, Batch>();
  /** The latest onChanges call per (provider, tenant), so calls for one tenant run one after another. */
  const dispatching = new Map<string, Promise<void>>();
  const handling = new Set<Promise<void>>();
  /** Set by close(): answers end their connection, and changes that still arrive are handed on at once. */
  let closing = false;

  function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    // Xero asks for an empty body (and no cookies) on every webhook answer.
    res.writeHead(status, { 'content-length': '0', ...(closing ? { connection: 'close' } : {}), ...headers });
    res.end();
  }

  function dispatch(batch: Batch): void {
    const key = batchKey(batch.provider, batch.tenantId);
    if (batches.get(key) === batch) batches.delete(key);
    clearTimeout(batch.timer);
    const changes = [...batch.changes.values()];
    const previous = dispatching.get(key) ?? Promise.resolve();
    const call = previous.then(async () => {
      try {
        await options.onChanges(batch.provider, batch.tenantId, changes);
        logger.info({ provider: batch.provider, tenantId: batch.tenantId, changes: changes.length }, 'webhook changes dispatched');
      } catch (err) {
        logger.error({ provider: batch.provider, tenantId: batch.tenantId, changes: changes.length, err }, 'webhook changes could not be dispatched');
      }
    });
    dispatching.set(key, call);
    void call.finally(() => {
      if (dispatching.get(key) === call) dispatching.delete(key);
    });
  }

  function enqueue(provider: WebhookProvider, tenantId: string, changes: readonly WebhookChange[]): void {
    const key = batchKey(provider, tenantId);
    let batch = batches.get(key);
    if (!batch) {
      const created: Batch = { provider, tenantId, changes: new Map(), timer: setTimeout(() => dispatch(created), debounceMs) };
      batches.set(key, created);
      batch = created;
    }
    for (const change of changes) {
      const changeKey = `${change.entity}\u0000${change.entityId}\u0000${change.operation}`;
      batch.changes.delete(changeKey);
      batch.changes.set(changeKey, change);
    }
    if (closing) dispatch(batch);
  }

  async function handleWebhook(route: ProviderRoute, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { provider } = route;
    if (!route.secret) {
      logger.warn({ provider }, 'webhook for a provider that is not configured');
      answer(res, 404, { connection: 'close' });
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        logger.warn({ provider, maxBodyBytes }, 'webhook body too large');
        answer(res, 413, { connection: 'close' });
      } else {
        logger.warn({ provider }, 'webhook body could not be read');
        res.destroy();
      }
      return;
    }
    // Verify the exact bytes received before reading them as JSON.
    if (!route.verify(body, req.headers[route.header], route.secret)) {
      logger.warn({ provider, bytes: body.length }, 'webhook signature is not valid');
      answer(res, 401);
      return;
    }
    const parsed = route.parse(body);
    if (!parsed.ok) {
      logger.warn({ provider, bytes: body.length, reason: parsed.reason, problems: parsed.message }, 'verified webhook body is not a delivery');
      answer(res, 400);
      return;
    }
    if (parsed.intentToReceive) {
      logger.info({ provider }, 'webhook intent to receive answered');
      answer(res, 200);
      return;
    }
    const relevant = route.relevant(parsed.changes);
    const byTenant = new Map<string, WebhookChange[]>();
    for (const change of relevant) {
      const list = byTenant.get(change.tenantId);
      if (list) list.push(change);
      else byTenant.set(change.tenantId, [change]);
    }
    const summary = {
      provider,
      events: parsed.eventCount,
      relevant: relevant.length,
      skipped: parsed.skipped,
      tenantIds: [...byTenant.keys()],
    };
    if (relevant.length === 0) {
      logger.info(summary, 'webhook delivery has nothing to act on');
      answer(res, 200);
      return;
    }
    const digest = createHash('sha256').update(body).digest('hex');
    let fresh: boolean;
    try {
      fresh = await options.rememberDelivery(provider, digest);
    } catch (err) {
      // Not remembered, so not acted on: a 5xx makes the provider deliver it again.
      logger.error({ ...summary, err }, 'webhook delivery could not be recorded');
      answer(res, 500);
      return;
    }
    if (!fresh) {
      logger.info(summary, 'webhook delivery already handled');
      answer(res, 200);
      return;
    }
    // Answer first: the changes are handed on after the debounce, well after the provider has its 200.
    answer(res, 200);
    logger.info(summary, 'webhook delivery accepted');
    for (const [tenantId, changes] of byTenant) enqueue(provider, tenantId, changes);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, { allow: 'GET, HEAD' });
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '3', ...(closing ? { connection: 'close' } : {}) });
      res.end(req.method === 'HEAD' ? undefined : 'ok\n');
      return;
    }
    const route = routes.get(path ?? '');
    if (!route) return answer(res, 404);
    if (req.method !== 'POST') return answer(res, 405, { allow: 'POST' });
    await handleWebhook(route, req, res);
  }

  const server = createServer((req, res) => {
    const handled = handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'webhook request failed');
      if (!res.headersSent) answer(res, 500);
      else res.destroy();
    });
    handling.add(handled);
    void handled.finally(() => handling.delete(handled));
  });
  // A slow client cannot hold a connection for long: providers send small bodies at once.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'webhook server error'));
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closed: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing = true;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    await Promise.allSettled([...handling]);
    server.closeIdleConnections();
    await stopped;
    clearTimeout(grace);
    await Promise.allSettled([...handling]);
    for (const batch of [...batches.values()]) dispatch(batch);
    await Promise.allSettled([...dispatching.values()]);
  }

  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => (closed ??= close()),
  };
}
