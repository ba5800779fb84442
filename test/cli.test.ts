import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { cliEnvironment, runCli, switchboardBin as bin, type CliRun } from './support/cli';
import { useWorkerTestContext } from './support/context';
import { writeContactsCsv } from './support/generate-csv';
import { aContact, anOpenConversation } from './support/fixtures';
import { findBusiness } from '../db/businesses';
import { BusinessIdAttribute } from '../domain/search-attributes';
import { writeLocalRuntimeInfo } from '../worker/runtime';


const t = useWorkerTestContext();

/** The environment the CLI runs in: this test file's database, Temporal server and task queue. */
const cliEnv = (env: Record<string, string> = {}) => cliEnvironment(t, env);

/** The real CLI in its own process, as an operator runs it. */
const cli = (args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CliRun> => runCli(args, cliEnv(env), cwd);

async function createBusinessId(args: string[] = []): Promise<string> {
  const run = await cli(['businesses', 'create', '--name', 'Harbour Clinic', '--country', 'au', '--json', ...args]);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return (JSON.parse(run.stdout) as { id: string }).id;
}

describe('switchboard CLI', () => {
  it('creates a business and prints its id as JSON', async () => {
    const id = await createBusinessId(['--identity', 'none']);
    expect(await findBusiness(t.database.db, id)).toMatchObject({ name: 'Harbour Clinic', defaultCountry: 'AU', identityPolicy: 'none' });
  });

  it('lists businesses with their ids, so that an operator can find one', async () => {
    const id = await createBusinessId(['--identity', 'none']);
    const text = await cli(['businesses', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')).toContain(`${id}\tHarbour Clinic\tAU\tnone`);
    const json = JSON.parse((await cli(['businesses', 'list', '--json'])).stdout) as { id: string; name: string }[];
    expect(json.find((b) => b.id === id)).toMatchObject({ name: 'Harbour Clinic', defaultCountry: 'AU', identityPolicy: 'none' });
  });

  it('lists a business\'s imports with what each did, and undoes one by its id', async () => {
    const businessId = await createBusinessId();
    const file = path.join(t.dir, 'cli-undo.csv');
    await writeFile(file, 'First Name,Last Name,Email\nAda,Lovelace,ada@example.com\nGrace,Hopper,grace@example.com\nNo,Email,\n');
    const imported = await cli(['import', file, '--business', businessId, '--json']);
    expect(imported.code).toBe(0);
    const { importId } = JSON.parse(imported.stdout) as { importId: string };
    const dry = await cli(['import', file, '--business', businessId, '--dry-run']);
    expect(dry.code).toBe(0);

    const listed = await cli(['imports', 'list', '--business', businessId]);
    expect(listed.code).toBe(0);
    // A dry run leaves no import behind.
    expect(listed.stdout).toMatch(new RegExp(`^${importId}\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\tcompleted\t2 created, 0 updated, 0 skipped, 1 failed\t${file}\n$`));

    const undone = await cli(['imports', 'undo', importId]);
    expect(undone).toMatchObject({ code: 0, stdout: `import ${importId} undone: 2 contacts deleted, 0 updates restored\n` });
    // One undo workflow per import, found with the rest of the business's workflows.
    const description = await t.worker.client.workflow.getHandle(`undoImport-${importId}`).describe();
    expect(description.typedSearchAttributes.get(BusinessIdAttribute)).toBe(businessId);
    expect((await cli(['contacts', 'list', '--business', businessId])).stdout).toBe('(no contacts)\n');
    const [after] = JSON.parse((await cli(['imports', 'list', '--business', businessId, '--json'])).stdout) as { id: string; status: string }[];
    expect(after).toMatchObject({ id: importId, status: 'undone' });
    expect(await cli(['imports', 'undo', importId])).toMatchObject({ code: 0, stdout: `import ${importId} was undone before: nothing to do\n` });
  });

  it('imports a file given as a file:// URL', async () => {
    const businessId = await createBusinessId();
    const file = path.join(t.dir, 'cli-url.csv');
    await writeFile(file, 'First Name,Last Name,Email\nAda,Lovelace,ada@example.com\n');
    const imported = await cli(['import', pathToFileURL(file).href, '--business', businessId]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toContain('\n1 row: 1 created, 0 updated, 0 skipped, 0 failed\n');
  });

  it('draws the progress bar on a terminal, its last frame the whole file as the import ended', async () => {
    const businessId = await createBusinessId();
    const file = path.join(t.dir, 'cli-bar.csv');
    await writeFile(file, 'First Name,Last Name,Email\nAda,Lovelace,ada@example.com\nGrace,Hopper,grace@example.com\nNo,Email,\n');
    // `script` gives the CLI a terminal, where it draws the bar; without one (as in the other tests) it draws none.
    const command = [process.execPath, bin, 'import', file, '--business', businessId].map((word) => `'${word}'`).join(' ');
    const run = await new Promise<CliRun>((resolve) =>
      execFile('script', ['-qefc', command, '/dev/null'], { env: cliEnv(), timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(run.code).toBe(0);
    // A terminal's line ends are CR LF; the bar redraws itself after a lone CR.
    const frames = run.stdout.replaceAll('\r\n', '\n').split('\r').map((frame) => frame.replaceAll('\x1b[K', ''));
    const barEnd = frames.findIndex((frame) => frame.includes('\n'));
    expect(frames[barEnd]).toMatch(/^\[#{30}\] 100% 3\/3 rows \(2 created, 0 updated, 0 skipped, 1 failed\)\n/);
  });

  it('says of an import of a file imported before which import holds the rows it skipped', async () => {
    const businessId = await createBusinessId();
    const file = path.join(t.dir, 'cli-twice.csv');
    await writeFile(file, 'First Name,Last Name,Email\nAda,Lovelace,ada@example.com\n');
    const first = JSON.parse((await cli(['import', file, '--business', businessId, '--json'])).stdout) as { importId: string };
    const second = JSON.parse((await cli(['import', file, '--business', businessId, '--json'])).stdout) as { importId: string; skipped: number };
    expect(second.skipped).toBe(1);
    const lines = (await cli(['imports', 'list', '--business', businessId])).stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split('\t').slice(0, 1).concat(line.split('\t').slice(3, 4)))).toEqual([
      [second.importId, `0 created, 0 updated, 0 skipped, 0 failed; the rest skipped, held by import ${first.importId}`],
      [first.importId, '1 created, 0 updated, 0 skipped, 0 failed'],
    ]);
    // Two imports of the file at once: the one that started first may be the one that found every line taken.
    await t.database.sql`update imports set created_at = created_at + interval '1 hour' where id = ${first.importId}`;
    const listed = JSON.parse((await cli(['imports', 'list', '--business', businessId, '--json'])).stdout) as { id: string; importedBefore: string | null }[];
    expect(listed.map((i) => [i.id, i.importedBefore])).toEqual([
      [first.importId, null],
      [second.importId, first.importId],
    ]);
    expect(await cli(['imports', 'undo', first.importId])).toMatchObject({ code: 0 });
    const afterUndo = JSON.parse((await cli(['imports', 'list', '--business', businessId, '--json'])).stdout) as { id: string; importedBefore: string | null }[];
    expect(afterUndo.map((i) => [i.id, i.importedBefore])).toEqual([
      [first.importId, null],
      [second.importId, null],
    ]);
  });

  it('lists every problem of an import, row by row, where its result shows the first ones', async () => {
    const businessId = await createBusinessId();
    const file = path.join(t.dir, 'cli-problems.csv');
    const failing = Array.from({ length: 25 }, (_, i) => `Nobody,Number${i},,`);
    await writeFile(file, ['First Name,Last Name,Email,Mobile', 'Ada,Lovelace,ada@example.com; ada.l@example.com,', ...failing, 'Grace,Hopper,"grace@example.com, g.hopper@example.com",0412 345 678'].join('\n'));
    // A dry run, which leaves no import to list the problems of, says how many rows it did not show.
    const dry = await cli(['import', file, '--business', businessId, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('\n… and 5 more rows with problems: --json lists the first 27 problems, and the import itself all of them\n');
    const imported = await cli(['import', file, '--business', businessId]);
    expect(imported.code).toBe(0);
    const importId = /^import (\S+):/.exec(imported.stdout)?.[1] as string;
    expect(imported.stdout.split('\n').filter((line) => line.startsWith('  row ')).length).toBe(20 + 2);
    expect(imported.stdout).toContain(`every problem, row by row: switchboard imports problems ${importId}\n`);

    const problems = await cli(['imports', 'problems', importId]);
    expect(problems.code).toBe(0);
    const lines = problems.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('errors: 25 rows not imported:');
    expect(lines.slice(1, 26)).toEqual(failing.map((_, i) => `  row ${i + 3}: a contact needs a phone or an email, and there is neither (their columns are empty)`));
    expect(lines[26]).toBe('warnings: 2 rows imported with values left out:');
    expect(lines.slice(27)).toEqual([expect.stringMatching(/^ {2}row 2: .*ada\.l@example\.com/), expect.stringMatching(/^ {2}row 28: .*g\.hopper@example\.com/)]);
    const json = JSON.parse((await cli(['imports', 'problems', importId, '--json'])).stdout) as { row: number; outcome: string }[];
    expect(json.map((p) => [p.row, p.outcome])).toEqual([[2, 'created'], ...failing.map((_, i) => [i + 3, 'failed']), [28, 'created']]);

    expect(await cli(['imports', 'undo', importId])).toMatchObject({ code: 0 });
    expect(await cli(['imports', 'problems', importId])).toMatchObject({ code: 0, stdout: `import ${importId} was undone: the record of its rows went with it\n` });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await cli(['imports', 'problems', unknown])).toMatchObject({ code: 1, stderr: expect.stringContaining(`no import ${unknown}`) });
  });

  it('lists contacts as JSON, archived ones only when asked', async () => {
    const businessId = await createBusinessId();
    const business = await findBusiness(t.database.db, businessId);
    if (!business) throw new Error('no business');
    const active = await aContact(t.database.db, business);
    const archived = await aContact(t.database.db, business, {
      firstName: 'Bea',
      email: null,
      phones: [{ raw: '0499 000 999', e164: '+61499000999', type: 'mobile', primary: true }],
    });
    await anOpenConversation(t.database.db, business, archived);
    expect((await cli(['workflow', 'deleteContact', '--input', JSON.stringify({ businessId, contactId: archived })])).code).toBe(0);

    const list = await cli(['contacts', 'list', '--business', businessId, '--json']);
    expect(list.code).toBe(0);
    const contacts = JSON.parse(list.stdout) as unknown[];
    expect(contacts).toEqual([
      {
        id: active,
        firstName: 'Ada',
        middleName: null,
        lastName: 'Lovelace',
        businessName: null,
        email: 'Ada@Example.com',
        phones: [{ e164: '+61412345678', raw: '0412 345 678', type: 'mobile', primary: true }],
        tags: [],
        status: 'active',
        anonymous: false,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      },
    ]);
    const all = JSON.parse((await cli(['contacts', 'list', '--business', businessId, '--include-archived', '--json'])).stdout) as { id: string; status: string }[];
    expect(all.map((c) => [c.id, c.status]).sort()).toEqual([[active, 'active'], [archived, 'archived']].sort());
  });

  it('runs a workflow from JSON input, from a file too, and prints its result', async () => {
    const businessId = await createBusinessId();
    const input = { businessId, channel: 'sms', from: { phone: '0412 777 888' }, text: 'hello' };
    const run = await cli(['workflow', 'receiveInboundMessage', '--input', JSON.stringify(input)]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { contactId: string; outcome: string };
    expect(result.outcome).toBe('created');
    const file = path.join(t.dir, 'input.json');
    await writeFile(file, JSON.stringify(input));
    const again = await cli(['workflow', 'receiveInboundMessage', '--input-file', file]);
    expect(JSON.parse(again.stdout)).toEqual({ contactId: result.contactId, outcome: 'matched' });
  });

  it.each([
    [['workflow', 'deleteContact', '--input', '{"businessId":1}'], 'switchboard: deleteContact input is invalid: businessId must be a UUID, e.g. 0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d; contactId is required'],
    [['workflow', 'deleteContact', '--input', '{not json'], /^switchboard: --input is not valid JSON: /],
    [['workflow', 'sendFax', '--input', '{}'], 'switchboard: unknown workflow type \'sendFax\'; the types are: deleteContact, receiveInboundMessage, importContactsCsv, undoImport, exportContactsCsv, syncConnection'],
    [['contacts', 'list', '--business', '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d'], 'switchboard: no business 0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d'],
    [['contacts', 'list', '--business', 'clinic-1'], "switchboard: --business must be a business id (a UUID), got 'clinic-1'"],
    [['businesses', 'create', '--name', 'X', '--country', 'Australia'], "switchboard: --country must be an ISO 3166 alpha-2 country code such as AU, GB or US, got 'Australia'"],
    [['connections', 'pause', 'xero-1'], "switchboard: <connectionId> must be a connection id (a UUID), got 'xero-1'"],
    [['imports', 'undo', 'last'], "switchboard: <importId> must be an import id (a UUID), got 'last'"],
    [['imports', 'undo', '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d'], 'switchboard: undoImport failed: importId: no import 0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d'],
    [['imports', 'list', '--business', '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d'], 'switchboard: no business 0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d'],
    [['imports', 'list', '--business', '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', '--limit', 'all'], "switchboard: --limit must be a whole number (1 or more), got 'all'"],
  ] as const)('fails with one clear line for %j', async (args, message) => {
    const run = await cli([...args]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    if (typeof message === 'string') expect(lines[0]).toBe(message);
    else expect(lines[0]).toMatch(message);
  });

  it("names the option typed when a workflow refuses what was given, an empty one included", async () => {
    const businessId = await createBusinessId();
    const file = path.join(t.dir, 'cli-flags.csv');
    await writeFile(file, 'First Name,Last Name,Email\nAda,Lovelace,ada@example.com\n');
    const refused = async (args: string[]) => {
      const run = await cli(args);
      expect(run).toMatchObject({ code: 1, stdout: '' });
      return run.stderr.trim();
    };
    expect(await refused(['import', file, '--business', businessId, '--country', 'uk'])).toBe(
      "switchboard: importContactsCsv failed: --country: 'UK' is no country phone numbers are known for (the United Kingdom is GB); give an ISO 3166 alpha-2 code such as AU, GB or US",
    );
    expect(await refused(['import', file, '--business', businessId, '--template', ''])).toBe('switchboard: importContactsCsv input is invalid: --template must not be empty');
    expect(await refused(['export', '--business', businessId, '--out', '/nowhere/contacts.csv'])).toBe(
      'switchboard: exportContactsCsv failed: --out: the folder /nowhere does not exist where the worker runs',
    );
    expect(await refused(['export', '--business', businessId, '--tag', ''])).toBe('switchboard: --tag must not be empty');
    expect(await refused(['export', '--business', businessId, '--columns', ' , '])).toBe('switchboard: --columns must name at least one column');
    expect(await refused(['export', '--business', businessId, '--columns', 'firstName,lastName,colour'])).toMatch(
      /^switchboard: exportContactsCsv failed: --columns: unknown column colour; the columns are id, firstName, /,
    );
    const some = path.join(t.dir, 'cli-columns.csv');
    expect(await cli(['export', '--business', businessId, '--columns', 'id, firstName,lastName,email', '--out', some])).toMatchObject({ code: 0 });
    expect((await readFile(some, 'utf8')).split(/\r?\n/)[0]).toBe('\uFEFFSwitchboard ID,First Name,Last Name,Email');
    expect(await refused(['export', '--business', businessId, '--tag', 'Smith, J'])).toBe("switchboard: exportContactsCsv failed: --tag: the business has no tag 'Smith, J'; it has none");
    // A field no option was typed for keeps its name: no --map was given.
    const unreachable = path.join(t.dir, 'cli-no-keys.csv');
    await writeFile(unreachable, 'First Name,Last Name,Notes\nAda,Lovelace,hi\n');
    expect(await refused(['import', unreachable, '--business', businessId])).toMatch(/^switchboard: importContactsCsv failed: mapping: no column holds an email or a phone number/);
    expect(await refused(['import', unreachable, '--business', businessId, '--map', 'Notes=notes'])).toMatch(/^switchboard: importContactsCsv failed: --map: no column holds an email or a phone number/);
  });

  it('imports a file with a mapping given by flags and saved as a template, lists it, imports again by its name, then exports it', async () => {
    const businessId = await createBusinessId();
    const file = path.join(t.dir, 'cli-import.csv');
    await writeFile(file, 'Patient,Family,Cell,Email\nAda,Lovelace,0412 345 678,ada@example.com\nBob,,0412 000 001,\n');
    const maps = ['--map', 'Patient=firstName', '--map', 'Family=lastName'];
    expect((await cli(['imports', 'templates', '--business', businessId])).stdout).toMatch(/^\(no templates: save one with /);
    const dry = await cli(['import', file, '--business', businessId, ...maps, '--dry-run', '--save-template', 'practice sheet']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('2 rows: 1 created, 0 updated, 0 skipped, 1 failed');
    expect(dry.stdout).toContain('  Patient -> firstName (set by the mapping you gave)');
    expect(dry.stdout).toContain('  Cell -> mobilePhone (');
    expect(dry.stdout).toMatch(/^mapping saved as template 'practice sheet' \([0-9a-f-]{36}\): use it again with --template 'practice sheet'$/m);
    const templateId = /template 'practice sheet' \(([0-9a-f-]{36})\)/.exec(dry.stdout)?.[1];
    expect(await cli(['imports', 'templates', '--business', businessId])).toMatchObject({ code: 0, stdout: `${templateId}\tpractice sheet\n` });

    const run = await cli(['import', file, '--business', businessId, '--template', 'practice sheet', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { rows: number; created: number; failed: number; errors: { row: number; message: string }[] };
    expect(result).toMatchObject({ rows: 2, created: 1, failed: 1 });
    expect(result.errors.map((e) => e.row)).toEqual([3]);

    const out = path.join(t.dir, 'cli-export.csv');
    const exported = await cli(['export', '--business', businessId, '--out', out]);
    expect(exported).toMatchObject({ code: 0, stdout: `1 contact written to ${out}\n` });
    expect(await readFile(out, 'utf8')).toContain('Ada,,Lovelace,,ada@example.com,Mobile,');
  });

  it('cancels the import on Ctrl-C, prints what it did and how to go on, and exits 1', async () => {
    const businessId = await createBusinessId();
    const file = path.join(t.dir, 'cli-long.csv');
    const generated = await writeContactsCsv(file, 50_000);
    const child = spawn(process.execPath, [bin, 'import', file, '--business', businessId], {
      env: cliEnv(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Interrupted once its first batch is committed: the chunk under way finishes, and the import stops after it.
    for (let i = 0; i < 600; i++) {
      const [{ lines } = { lines: 0 }] = await t.database.sql<{ lines: number }[]>`
        select count(*)::int as lines from import_ledger where business_id = ${businessId}`;
      if (lines > 0) break;
      await sleep(50);
    }
    child.kill('SIGINT');
    expect(await exited).toBe(1);

    const importId = /^import (\S+): cancelled$/m.exec(stdout)?.[1];
    expect(importId).toBeDefined();
    const rows = Number(/^([\d,]+) rows: /m.exec(stdout)?.[1]?.replaceAll(',', ''));
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(generated.rows);
    const [{ ledger } = { ledger: -1 }] = await t.database.sql<{ ledger: number }[]>`
      select count(*)::int as ledger from import_ledger where import_id = ${importId ?? null}`;
    expect(ledger).toBe(rows);
    expect(stderr).toMatch(/cancelling workflow \S+: it stops at the end of the chunk under way \(Ctrl-C again to stop waiting\)/);
    expect(stderr).toContain(
      `switchboard: import ${importId} was cancelled after ${rows.toLocaleString('en')} rows: import the file again to do the rest (the rows done are skipped), ` +
        `or undo it with \`switchboard imports undo ${importId}\`\n`,
    );
  });

  it('says which --map is malformed', async () => {
    const run = await cli(['import', 'x.csv', '--business', '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', '--map', 'Patient']);
    expect(run).toMatchObject({ code: 1, stderr: 'switchboard: --map takes "Header=field", got \'Patient\'\n' });
  });

  it('says plainly when no Temporal server answers', async () => {
    const run = await cli(['workflow', 'deleteContact', '--input', '{}'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^switchboard: cannot reach Temporal at 127\.0\.0\.1:1: .*\(is `npm start` running, or TEMPORAL_ADDRESS set\?\)\n$/);
  });

  it('says plainly when no database answers', async () => {
    const run = await cli(['contacts', 'list', '--business', '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' });
    expect(run).toMatchObject({ code: 1, stderr: 'switchboard: cannot reach the database (ECONNREFUSED): is it running, and is DATABASE_URL right?\n' });
  });

  it('reads the runtime file of the stack `npm start` runs, from another folder, and says where it looked when none runs', async () => {
    const stack = await mkdtemp(path.join(os.tmpdir(), 'switchboard-stack-'));
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'switchboard-cwd-'));
    try {
      const noStack = { DATABASE_URL: '', SWITCHBOARD_DATA_DIR: stack };
      const none = await cli(['contacts', 'list', '--business', '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d'], noStack, elsewhere);
      expect(none).toMatchObject({
        code: 1,
        stderr: `switchboard: no database: set DATABASE_URL, or start Switchboard locally with \`npm start\` (none is running with its data in ${stack})\n`,
      });

      await writeLocalRuntimeInfo(stack, {
        databaseUrl: t.database.url,
        temporalAddress: inject('temporalAddress'),
        temporalNamespace: 'default',
        taskQueue: t.worker.taskQueue,
        pid: process.pid,
      });
      const businessId = await createBusinessId();
      const found = await cli(['contacts', 'list', '--business', businessId, '--json'], noStack, elsewhere);
      expect(found).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
    } finally {
      await rm(stack, { recursive: true, force: true });
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('rejects a bad flag in one line and a non-zero exit', async () => {
    const run = await cli(['contacts', 'list', '--business', '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', '--bogus']);
    expect(run).toMatchObject({ code: 2, stderr: "switchboard: unknown option '--bogus' (see --help)\n" });
  });

  it('names a bad environment value', async () => {
    const run = await cli(['contacts', 'list', '--business', '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d'], { TEMPORAL_ADDRESS: 'nowhere' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('TEMPORAL_ADDRESS="nowhere": must be host:port, e.g. localhost:7233');
  });
});
