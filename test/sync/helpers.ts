import type { WorkflowHandle } from '@temporalio/client';
import { saveConnection } from '../../db/connections';
import type { Business } from '../../db/businesses';
import { syncWorkflowId } from '../../domain/inputs';
import type { Provider } from '../../domain/sync/remote';
import { loadConfig, type ProviderConfig } from '../../worker/config';
import { createSecretBox } from '../../worker/secret-box';
import { startSyncWebhooks } from '../../worker/sync-webhooks';
import type { SyncResult } from '../../workflows/sync';
import type { WorkerTestContext } from '../support/context';
import type { TestDatabase } from '../support/database';
import { testSecretKey, type TestWorker } from '../support/temporal';
import type { FakeXero } from '../../fakes/xero/server';
import type { FakeQuickBooks } from '../../fakes/quickbooks/server';

export const secretBox = createSecretBox(testSecretKey);

/** The webhook receiver as the worker runs it, on a free port, starting syncs on the test worker; quiet, briefly debounced. */
export function startTestWebhooks(context: WorkerTestContext, providers: ProviderConfig) {
  return startSyncWebhooks({
    port: 0,
    providers,
    sql: context.database.sql,
    client: context.worker.client,
    taskQueue: context.worker.taskQueue,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    debounceMs: 200,
  });
}

/** The real provider settings with every endpoint pointed at the fakes. */
export function providersFor(fakes: { xero?: FakeXero; quickbooks?: FakeQuickBooks }): ProviderConfig {
  const env: Record<string, string> = {};
  if (fakes.xero) {
    Object.assign(env, {
      XERO_CLIENT_ID: fakes.xero.clientId,
      XERO_CLIENT_SECRET: fakes.xero.clientSecret,
      XERO_API_URL: fakes.xero.url,
      XERO_IDENTITY_URL: fakes.xero.url,
      XERO_LOGIN_URL: fakes.xero.url,
      XERO_REDIRECT_URI: 'http://localhost:8734/callback',
      XERO_WEBHOOK_KEY: fakes.xero.webhookKey,
    });
  }
  if (fakes.quickbooks) {
    Object.assign(env, {
      QBO_CLIENT_ID: fakes.quickbooks.clientId,
      QBO_CLIENT_SECRET: fakes.quickbooks.clientSecret,
      QBO_API_URL: fakes.quickbooks.url,
      QBO_OAUTH_URL: fakes.quickbooks.url,
      QBO_AUTHORIZE_URL: `${fakes.quickbooks.url}/connect/oauth2`,
      QBO_REDIRECT_URI: 'http://localhost:8734/callback',
      QBO_WEBHOOK_VERIFIER_TOKEN: fakes.quickbooks.verifierToken,
    });
  }
  return loadConfig(env).providers;
}

export async function aConnection(
  database: TestDatabase,
  business: Business,
  provider: Provider,
  tenantId: string,
  tokens: { access_token: string; refresh_token: string; expires_in: number },
  options: { outageBudgetMinutes?: number } = {},
): Promise<string> {
  const connection = await saveConnection(database.sql, secretBox, {
    businessId: business.id,
    provider,
    tenantId,
    tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + tokens.expires_in * 1000) },
    outageBudgetMinutes: options.outageBudgetMinutes,
  });
  return connection.id;
}

export function startSync(worker: TestWorker, connectionId: string, mode: 'incremental' | 'full' = 'incremental'): Promise<WorkflowHandle> {
  return worker.client.workflow.start('syncConnection', {
    args: [{ connectionId, mode }],
    taskQueue: worker.taskQueue,
    workflowId: syncWorkflowId(connectionId),
  });
}

export async function sync(worker: TestWorker, connectionId: string, mode: 'incremental' | 'full' = 'incremental'): Promise<SyncResult> {
  return (await startSync(worker, connectionId, mode)).result() as Promise<SyncResult>;
}

export async function contactsOf(database: TestDatabase, businessId: string) {
  return database.sql<{ id: string; first_name: string; last_name: string; email_normalized: string | null; status: string; phones: string[] }[]>`
    select c.id, c.first_name, c.last_name, c.email_normalized, c.status,
      coalesce((select array_agg(p.e164 order by p.e164) from contact_phones p where p.contact_id = c.id), '{}') as phones
    from contacts c where c.business_id = ${businessId} order by c.first_name, c.last_name, c.id`;
}

export async function linksOf(database: TestDatabase, connectionId: string) {
  return database.sql<{ external_id: string; contact_id: string; remote_active: boolean }[]>`
    select external_id, contact_id, remote_active from external_links where connection_id = ${connectionId} order by external_id`;
}
