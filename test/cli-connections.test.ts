import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeXero, type FakeXero } from '../fakes/xero/server';
import { syncScheduleId } from '../worker/schedules';
import { cliEnvironment, runCli, switchboardBin as bin } from './support/cli';
import { useWorkerTestContext } from './support/context';
import { providersFor } from './sync/helpers';

let xero: FakeXero;
const t = useWorkerTestContext(async () => {
  xero = await startFakeXero();
  return { providers: providersFor({ xero }) };
});
afterAll(async () => xero?.close());

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cliEnvironment(t, {
    // The key the test worker seals with, so that what the CLI stores the worker can open.
    SWITCHBOARD_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    XERO_CLIENT_ID: xero.clientId,
    XERO_CLIENT_SECRET: xero.clientSecret,
    XERO_API_URL: xero.url,
    XERO_IDENTITY_URL: xero.url,
    XERO_LOGIN_URL: xero.url,
    ...extra,
  });
}

const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, env(extra));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('switchboard connections, connect, sync and schedules', () => {
  let businessId: string;
  let tenantId: string;

  beforeAll(async () => {
    const run = await cli(['businesses', 'create', '--name', 'CLI Clinic', '--country', 'AU', '--json']);
    businessId = (JSON.parse(run.stdout) as { id: string }).id;
    tenantId = xero.addTenant({ tenantName: 'CLI Demo Org' });
    xero.upsertContact(tenantId, { FirstName: 'Cli', LastName: 'Person', Name: 'Cli Person', EmailAddress: 'cli@example.com' });
  });

  it('adds a connection with tokens from elsewhere, stores them sealed, and lists it without them', async () => {
    const tokens = xero.issueTokens([tenantId]);
    const added = await cli([
      'connections', 'add', '--business', businessId, '--provider', 'xero', '--tenant', tenantId,
      '--access-token', tokens.access_token, '--refresh-token', tokens.refresh_token,
      '--expires-at', new Date(Date.now() + 1_800_000).toISOString(), '--json',
    ]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const connection = JSON.parse(added.stdout) as { id: string; status: string };
    expect(connection.status).toBe('active');
    const [stored] = await t.database.sql<{ access_token_sealed: string; refresh_token_sealed: string }[]>`
      select access_token_sealed, refresh_token_sealed from connections where id = ${connection.id}`;
    expect(stored?.access_token_sealed).not.toContain(tokens.access_token);
    expect(stored?.refresh_token_sealed).not.toContain(tokens.refresh_token);

    const listed = await cli(['connections', 'list', '--business', businessId, '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(tokens.access_token);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((c) => c.id)).toEqual([connection.id]);

    const synced = await cli(['sync', connection.id]);
    expect(synced).toMatchObject({ code: 0 });
    expect(JSON.parse(synced.stdout)).toMatchObject({ created: 1, failed: 0 });

    const applied = await cli(['schedules', 'apply']);
    expect(applied).toMatchObject({ code: 0, stdout: expect.stringContaining('1 created') as unknown as string });
    await t.worker.client.schedule.getHandle(syncScheduleId(connection.id)).delete();
  });

  it('names the flag at fault', async () => {
    const wrongFlag = await cli(['connections', 'add', '--business', businessId, '--provider', 'xero', '--realm', '123', '--access-token', 'a', '--refresh-token', 'r', '--expires-at', '2030-01-01T00:00:00Z']);
    expect(wrongFlag).toMatchObject({ code: 1, stderr: expect.stringContaining('--tenant is required') as unknown as string });
    const badTime = await cli(['connections', 'add', '--business', businessId, '--provider', 'quickbooks', '--realm', '123', '--access-token', 'a', '--refresh-token', 'r', '--expires-at', 'tomorrow']);
    expect(badTime).toMatchObject({ code: 1, stderr: expect.stringContaining('--expires-at') as unknown as string });
  });

  it('connect runs the OAuth2 code flow through a local callback and adds the organisation', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'connect', 'xero', '--business', businessId, '--tenant', tenantId, '--json'], {
      env: env({ XERO_REDIRECT_URI: `http://127.0.0.1:${port}/callback` }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /(http:\/\/127\.0\.0\.1:\d+\/identity\/connect\/authorize\S+)/.exec(stderr);
        if (found) resolve(found[1] as string);
      });
      child.once('exit', () => reject(new Error(`connect exited early: ${stderr}`)));
    });
    // The "browser": the fake consents at once and redirects back to the CLI's listener.
    const page = await fetch(url);
    expect(await page.text()).toContain('Switchboard is connected');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const [added] = JSON.parse(stdout) as { provider: string; tenantId: string; tenantName: string }[];
    expect(added).toMatchObject({ provider: 'xero', tenantId, tenantName: 'CLI Demo Org' });
  });
});
