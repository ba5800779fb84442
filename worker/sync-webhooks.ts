import type { Client } from '@temporalio/client';
import type postgres from 'postgres';
import type { WebhookChange, WebhookProvider } from '../connectors/webhooks/xero';
import { listConnectionsOfTenant } from '../db/connections';
import { syncWorkflowId } from '../domain/inputs';
import type { ProviderConfig } from './config';
import { startWebhookServer, type WebhookLogger } from './webhook-server';

/**
 * The webhook receiver wired to syncs: a verified delivery signals each active connection of its tenant, starting
 * the connection's sync when none is running (signal-with-start on the connection's workflow id). A delivery already
 * handled, by the digest of its body, starts nothing.
 */
export async function startSyncWebhooks(options: {
  port: number;
  host?: string;
  providers: ProviderConfig;
  sql: postgres.Sql;
  client: Client;
  taskQueue: string;
  logger: WebhookLogger;
  debounceMs?: number;
}) {
  const { sql, client } = options;
  return startWebhookServer({
    port: options.port,
    host: options.host,
    xeroWebhookKey: options.providers.xero.webhookKey,
    quickbooksVerifierToken: options.providers.quickbooks.verifierToken,
    debounceMs: options.debounceMs,
    logger: options.logger,
    async rememberDelivery(provider: WebhookProvider, digest: string) {
      const inserted = await sql`
        insert into webhook_deliveries (provider, digest) values (${provider}, ${digest}) on conflict do nothing returning digest`;
      if (Math.random() < 0.01) await sql`delete from webhook_deliveries where received_at < now() - interval '30 days'`;
      return inserted.length > 0;
    },
    async onChanges(provider: WebhookProvider, tenantId: string, changes: WebhookChange[]) {
      for (const connection of await listConnectionsOfTenant(sql, provider, tenantId)) {
        await client.workflow.signalWithStart('syncConnection', {
          workflowId: syncWorkflowId(connection.id),
          taskQueue: options.taskQueue,
          args: [{ connectionId: connection.id, mode: 'incremental' }],
          signal: 'changesNotified',
          signalArgs: [{ changes: changes.length }],
        });
        options.logger.info({ provider, tenantId, connectionId: connection.id, changes: changes.length }, 'webhook: sync signalled');
      }
    },
  });
}

/** Starts the receiver in the worker process when WEBHOOK_PORT is set; returns how to stop it. */
export async function startConfiguredWebhooks(options: {
  config: { webhookPort?: number; providers: ProviderConfig; temporalAddress: string; temporalNamespace: string; taskQueue: string };
  sql: postgres.Sql;
  logger: WebhookLogger;
}): Promise<(() => Promise<void>) | undefined> {
  const { config } = options;
  if (config.webhookPort === undefined) return undefined;
  const { Client, Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address: config.temporalAddress });
  const server = await startSyncWebhooks({
    port: config.webhookPort,
    host: '0.0.0.0',
    providers: config.providers,
    sql: options.sql,
    client: new Client({ connection, namespace: config.temporalNamespace }),
    taskQueue: config.taskQueue,
    logger: options.logger,
  });
  options.logger.info({ url: server.url }, 'webhook receiver listening (POST /webhooks/xero, /webhooks/quickbooks)');
  return async () => {
    await server.close();
    await connection.close();
  };
}
