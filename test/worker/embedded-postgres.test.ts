import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../worker/embedded-postgres';
import { answersOnPort, freePort } from '../../worker/ports';

const root = path.join(__dirname, '..', '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-embedded-pg-'));
  // Run for root, the server runs as the postgres user, which must reach its data folder in here.
  await chmod(dir, 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function selectOne(url: string): Promise<number | undefined> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ one: number }[]>`select 1 as one`;
    return row?.one;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

describe('the embedded Postgres of `npm start`', () => {
  it('starts again over a server that a killed start left running, and stops it', async () => {
    const dataDir = path.join(dir, 'left-running');
    const port = await freePort();
    // A start in a process of its own, killed with SIGKILL once its server runs: nothing stops the server.
    const script = path.join(dir, 'start-and-wait.ts');
    await writeFile(
      script,
      `import { startEmbeddedPostgres } from ${JSON.stringify(path.join(root, 'worker', 'embedded-postgres'))};\n` +
        `void startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port} }).then(() => process.stdout.write('ready\\n'));\n` +
        'setInterval(() => undefined, 1000);\n',
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const [ready] = (await once(child.stdout, 'data')) as [Buffer];
    expect(ready.toString()).toBe('ready\n');
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(await answersOnPort('127.0.0.1', port)).toBe(true);

    const logged: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, port, log: (message) => logged.push(message) });
    try {
      expect(logged.filter((line) => line.includes('still running'))).toHaveLength(1);
      expect(await selectOne(server.url)).toBe(1);
    } finally {
      await server.stop();
    }
    expect(await answersOnPort('127.0.0.1', port)).toBe(false);
  });

  it('fails with what the server said when it cannot start', async () => {
    const taken = net.createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as net.AddressInfo).port;
    try {
      await expect(startEmbeddedPostgres({ dataDir: path.join(dir, 'port-taken'), port })).rejects.toThrow(
        new RegExp(`^embedded Postgres stopped as it started \\(data in .*port-taken.*, port ${port}\\): .*could not (bind|create)`),
      );
    } finally {
      taken.close();
    }
  });
});
