import type { Sql } from 'postgres';
import { InvalidGrantError } from '../connectors/providers/errors';
import type { TokenGrant } from '../connectors/providers/tokens';
import { SwitchboardError } from '../domain/errors';
import type { Provider } from '../domain/sync/remote';
import type { SecretBox } from '../worker/secret-box';

export type ConnectionStatus = 'active' | 'needs_reauth' | 'disabled';

/** A connection as shown to operators: never its tokens. */
export interface ConnectionSummary {
  id: string;
  businessId: string;
  provider: Provider;
  tenantId: string;
  tenantName: string | null;
  status: ConnectionStatus;
  accessTokenExpiresAt: Date;
  syncIntervalMinutes: number;
  outageBudgetMinutes: number;
  cursor: Record<string, unknown> | null;
  lastSyncAt: Date | null;
  lastSyncSummary: Record<string, unknown> | null;
  lastError: string | null;
}

type ConnectionRow = {
  id: string;
  business_id: string;
  provider: Provider;
  tenant_id: string;
  tenant_name: string | null;
  status: ConnectionStatus;
  access_token_expires_at: Date | string;
  sync_interval_minutes: number;
  outage_budget_minutes: number;
  cursor: Record<string, unknown> | null;
  last_sync_at: Date | string | null;
  last_sync_summary: Record<string, unknown> | null;
  last_error: string | null;
};

const summary = (r: ConnectionRow): ConnectionSummary => ({
  id: r.id,
  businessId: r.business_id,
  provider: r.provider,
  tenantId: r.tenant_id,
  tenantName: r.tenant_name,
  status: r.status,
  // Drizzle shares this client and makes it hand timestamps over as text.
  accessTokenExpiresAt: new Date(r.access_token_expires_at),
  syncIntervalMinutes: r.sync_interval_minutes,
  outageBudgetMinutes: r.outage_budget_minutes,
  cursor: r.cursor,
  lastSyncAt: r.last_sync_at === null ? null : new Date(r.last_sync_at),
  lastSyncSummary: r.last_sync_summary,
  lastError: r.last_error,
});

const COLUMNS = `id, business_id, provider, tenant_id, tenant_name, status, access_token_expires_at, sync_interval_minutes,
  outage_budget_minutes, cursor, last_sync_at, last_sync_summary, last_error`;

export interface NewConnection {
  businessId: string;
  provider: Provider;
  tenantId: string;
  tenantName?: string;
  tokens: TokenGrant;
  syncIntervalMinutes?: number;
  outageBudgetMinutes?: number;
}

/** Adds a connection, or gives an existing one (same business, provider and tenant) fresh tokens and makes it active. */
export async function saveConnection(sql: Sql, secretBox: SecretBox, input: NewConnection): Promise<ConnectionSummary> {
  const [business] = await sql`select id from businesses where id = ${input.businessId}`;
  if (!business) throw new SwitchboardError('NotFound', `businessId: no business ${input.businessId}`);
  const [row] = await sql<ConnectionRow[]>`
    insert into connections (business_id, provider, tenant_id, tenant_name, access_token_sealed, refresh_token_sealed,
      access_token_expires_at, tokens_rotated_at, sync_interval_minutes, outage_budget_minutes)
    values (${input.businessId}, ${input.provider}, ${input.tenantId}, ${input.tenantName ?? null},
      ${secretBox.seal(input.tokens.accessToken)}, ${secretBox.seal(input.tokens.refreshToken)}, ${input.tokens.expiresAt.toISOString()}::timestamptz,
      now(), ${input.syncIntervalMinutes ?? 15}, ${input.outageBudgetMinutes ?? 360})
    on conflict (business_id, provider, tenant_id) do update set
      tenant_name = coalesce(excluded.tenant_name, connections.tenant_name),
      access_token_sealed = excluded.access_token_sealed,
      refresh_token_sealed = excluded.refresh_token_sealed,
      access_token_expires_at = excluded.access_token_expires_at,
      tokens_rotated_at = now(),
      status = 'active',
      last_error = null,
      sync_interval_minutes = ${input.syncIntervalMinutes ?? sql`connections.sync_interval_minutes`},
      outage_budget_minutes = ${input.outageBudgetMinutes ?? sql`connections.outage_budget_minutes`},
      updated_at = now()
    returning ${sql.unsafe(COLUMNS)}`;
  return summary(row as ConnectionRow);
}

export async function listConnections(sql: Sql, filter: { businessId?: string; status?: ConnectionStatus } = {}): Promise<ConnectionSummary[]> {
  const rows = await sql<ConnectionRow[]>`
    select ${sql.unsafe(COLUMNS)} from connections
    where (${filter.businessId ?? null}::uuid is null or business_id = ${filter.businessId ?? null}::uuid)
      and (${filter.status ?? null}::connection_status is null or status = ${filter.status ?? null}::connection_status)
    order by created_at, id`;
  return rows.map(summary);
}

export async function findConnection(sql: Sql, id: string): Promise<ConnectionSummary | undefined> {
  const [row] = await sql<ConnectionRow[]>`select ${sql.unsafe(COLUMNS)} from connections where id = ${id}`;
  return row ? summary(row) : undefined;
}

export async function setConnectionStatus(sql: Sql, id: string, status: ConnectionStatus, lastError: string | null = null): Promise<void> {
  await sql`update connections set status = ${status}, last_error = ${lastError}, updated_at = now() where id = ${id}`;
}

/** Raised when a connection cannot be used until a person acts; the message says what to do. */
export function connectionUnusable(connection: Pick<ConnectionSummary, 'id' | 'provider' | 'businessId' | 'status'>): SwitchboardError {
  const reconnect = `switchboard connect ${connection.provider} --business ${connection.businessId}`;
  return new SwitchboardError(
    'NeedsReauth',
    connection.status === 'needs_reauth'
      ? `connection ${connection.id} needs to be authorised again: ${connection.provider} refused its refresh token. Run \`${reconnect}\` (or \`switchboard connections add\` with new tokens), then start the sync again`
      : `connection ${connection.id} is ${connection.status}; enable it again before syncing`,
  );
}

/** Access tokens this close to expiry are refreshed before use rather than sent to fail. */
const EXPIRY_MARGIN_MS = 2 * 60_000;

/**
 * A usable access token for the connection. Refreshing is single-flight across every worker and workflow: it happens
 * under the connection's row lock, and the rotated refresh token is committed before the new access token is used,
 * so a token the provider has rotated can never be lost to a race. `staleAccessToken` forces a refresh after the
 * provider refused that token, unless another caller has already replaced it.
 */
export async function accessTokenFor(
  sql: Sql,
  secretBox: SecretBox,
  connectionId: string,
  refresh: (refreshToken: string) => Promise<TokenGrant>,
  options: { staleAccessToken?: string } = {},
): Promise<{ accessToken: string; refreshed: boolean }> {
  const outcome = await sql.begin(async (tx) => {
    const [row] = await tx<(ConnectionRow & { access_token_sealed: string; refresh_token_sealed: string })[]>`
      select ${tx.unsafe(COLUMNS)}, access_token_sealed, refresh_token_sealed from connections where id = ${connectionId} for update`;
    if (!row) throw new SwitchboardError('NotFound', `connectionId: no connection ${connectionId}`);
    if (row.status !== 'active') return { unusable: summary(row) };
    const current = secretBox.open(row.access_token_sealed);
    const fresh = new Date(row.access_token_expires_at).getTime() - Date.now() > EXPIRY_MARGIN_MS;
    if (fresh && (options.staleAccessToken === undefined || options.staleAccessToken !== current)) {
      return { accessToken: current, refreshed: false, unusable: undefined };
    }
    let grant: TokenGrant;
    try {
      grant = await refresh(secretBox.open(row.refresh_token_sealed));
    } catch (error) {
      if (!(error instanceof InvalidGrantError)) throw error;
      await tx`
        update connections set status = 'needs_reauth', last_error = ${error.message}, updated_at = now() where id = ${connectionId}`;
      return { unusable: { ...summary(row), status: 'needs_reauth' as const } };
    }
    await tx`
      update connections set access_token_sealed = ${secretBox.seal(grant.accessToken)},
        refresh_token_sealed = ${secretBox.seal(grant.refreshToken)}, access_token_expires_at = ${grant.expiresAt.toISOString()}::timestamptz,
        tokens_rotated_at = now(), updated_at = now()
      where id = ${connectionId}`;
    return { accessToken: grant.accessToken, refreshed: true, unusable: undefined };
  });
  if (outcome.unusable) throw connectionUnusable(outcome.unusable);
  return { accessToken: outcome.accessToken, refreshed: outcome.refreshed };
}

/** The active connections to one Xero organisation or QuickBooks company (several businesses may share one). */
export async function listConnectionsOfTenant(sql: Sql, provider: Provider, tenantId: string): Promise<ConnectionSummary[]> {
  const rows = await sql<ConnectionRow[]>`
    select ${sql.unsafe(COLUMNS)} from connections where provider = ${provider} and tenant_id = ${tenantId} and status = 'active'
    order by id`;
  return rows.map(summary);
}
