import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { Command, CommanderError, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { openDatabase, type Database } from '../db/client';
import { createBusiness, findBusiness } from '../db/businesses';
import { listContacts } from '../db/contacts';
import { isValidCountryCode } from '../domain/phone';
import { exampleInputs, workflowTypes } from '../domain/inputs';
import { loadConfig, type Config } from '../worker/config';
import { readLocalRuntimeInfo } from '../worker/runtime';
import type { ImportProgress, ImportResult } from '../workflows/import';

/** A problem the operator can fix: printed as one line, exit code 1. */
class CliError extends Error {}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireUuid(flag: string, value: string): string {
  if (!uuidPattern.test(value)) throw new CliError(`${flag} must be a business id (a UUID), got '${value}'`);
  return value;
}

/** Settings from the environment, else from a local stack that `npm start` is running. */
async function endpoints(): Promise<{ config: Config; databaseUrl?: string; temporalAddress: string; namespace: string; taskQueue: string }> {
  const config = loadConfig();
  const local = await readLocalRuntimeInfo(path.resolve(config.dataDir));
  return {
    config,
    databaseUrl: config.databaseUrl ?? local?.databaseUrl,
    temporalAddress: config.temporalAddressGiven ? config.temporalAddress : (local?.temporalAddress ?? config.temporalAddress),
    namespace: process.env.TEMPORAL_NAMESPACE ? config.temporalNamespace : (local?.temporalNamespace ?? config.temporalNamespace),
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ? config.taskQueue : (local?.taskQueue ?? config.taskQueue),
  };
}

async function withDatabase<T>(use: (database: Database) => Promise<T>): Promise<T> {
  const { databaseUrl } = await endpoints();
  if (!databaseUrl) throw new CliError('no database: set DATABASE_URL, or start Switchboard locally with `npm start`');
  const database = openDatabase(databaseUrl, { max: 2 });
  try {
    return await use(database);
  } catch (error) {
    // Drizzle wraps the driver's error; the network code sits on its cause.
    const code = (error as { code?: string }).code ?? ((error as { cause?: { code?: string } }).cause?.code);
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
      throw new CliError(`cannot reach the database (${code}): is it running, and is DATABASE_URL right?`);
    }
    throw error;
  } finally {
    await database.close();
  }
}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Operate Switchboard: businesses, contacts, imports, exports and workflows')
    .exitOverride()
    .configureOutput({
      // Usage mistakes get one line, like every other error; the usage itself is one --help away.
      outputError: (message, write) => write(`switchboard: ${message.replace(/^error: /, '').trim()} (see --help)\n`),
    });

  const businesses = program.command('businesses').description('clinics and businesses (the owners of contacts)');
  businesses
    .command('create')
    .description('create a business and print its id')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--country <ISO2>', 'default country for national phone numbers, e.g. AU')
    .addOption(new Option('--identity <policy>', 'unique: a phone or email identifies one contact; none: duplicates allowed').choices(['unique', 'none']).default('unique'))
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; country: string; identity: 'unique' | 'none'; json?: boolean }) => {
      if (!isValidCountryCode(opts.country.toUpperCase())) {
        throw new CliError(`--country must be an ISO 3166 alpha-2 country code such as AU, GB or US, got '${opts.country}'`);
      }
      if (opts.name.trim() === '') throw new CliError('--name must not be empty');
      const business = await withDatabase(({ db }) =>
        createBusiness(db, { name: opts.name.trim(), defaultCountry: opts.country, identityPolicy: opts.identity }),
      );
      print(Boolean(opts.json), { id: business.id }, business.id);
    });

  const contacts = program.command('contacts').description("a business's contacts");
  contacts
    .command('list')
    .description('list contacts (active and named ones unless asked otherwise)')
    .requiredOption('--business <id>', 'business id')
    .option('--include-archived', 'include archived contacts')
    .option('--include-anonymous', 'include webchat guests known only by a pseudonym')
    .option('--json', 'print JSON')
    .action(async (opts: { business: string; includeArchived?: boolean; includeAnonymous?: boolean; json?: boolean }) => {
      const businessId = requireUuid('--business', opts.business);
      const rows = await withDatabase(async ({ db }) => {
        if (!(await findBusiness(db, businessId))) throw new CliError(`no business ${businessId}`);
        return listContacts(db, businessId, { includeArchived: opts.includeArchived, includeAnonymous: opts.includeAnonymous });
      });
      const lines = rows.map((c) =>
        [c.id, `${c.firstName} ${c.lastName}`.trim(), c.email ?? '', c.phones.find((p) => p.primary)?.e164 ?? '', c.status].join('\t'),
      );
      print(Boolean(opts.json), rows, lines.length > 0 ? lines.join('\n') : '(no contacts)');
    });

  program
    .command('workflow')
    .description(`start a workflow, wait for it and print its result as JSON (types: ${workflowTypes.join(', ')})`)
    .argument('<type>', 'workflow type')
    .option('--input <json>', 'the input, one JSON object')
    .option('--input-file <path>', 'read the input from a JSON file')
    .option('--id <workflowId>', 'workflow id (default: <type>-<random>)')
    .action(async (type: string, opts: { input?: string; inputFile?: string; id?: string }) => {
      if (!workflowTypes.includes(type)) {
        throw new CliError(`unknown workflow type '${type}'; the types are: ${workflowTypes.join(', ')}`);
      }
      if (opts.input !== undefined && opts.inputFile !== undefined) throw new CliError('give --input or --input-file, not both');
      const text = opts.inputFile !== undefined ? await readInputFile(opts.inputFile) : opts.input;
      if (text === undefined) throw new CliError(`--input is required, e.g. --input '${exampleInputs[type]}'`);
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch (error) {
        throw new CliError(`--input is not valid JSON: ${(error as Error).message}`);
      }
      const result = await runWorkflow(type, input, opts.id);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });

  program
    .command('import')
    .description('import contacts from a CSV file (Xero, QuickBooks, Google, Outlook or any sheet) and print the result')
    .argument('<file>', 'the CSV file, as a path the worker can read')
    .requiredOption('--business <id>', 'business id')
    .option('--map <Header=field>', 'map a column yourself (repeatable); field "ignore" leaves it out', (v: string, all: string[]) => [...all, v], [])
    .addOption(new Option('--on-match <mode>', 'what to do with a row that matches an existing contact').choices(['update', 'skip', 'create']).default('update'))
    .option('--dry-run', 'check the file and show the mapping without writing anything')
    .option('--template <id>', 'use a saved mapping template')
    .option('--save-template <name>', 'save the mapping used as a template of the business')
    .option('--country <ISO2>', "default country for national phone numbers (default: the business's)")
    .option('--json', 'print the result as JSON')
    .action(
      async (
        file: string,
        opts: { business: string; map: string[]; onMatch: string; dryRun?: boolean; template?: string; saveTemplate?: string; country?: string; json?: boolean },
      ) => {
        const mapping: Record<string, string> = {};
        for (const pair of opts.map) {
          const at = pair.lastIndexOf('=');
          if (at <= 0 || at === pair.length - 1) throw new CliError(`--map takes "Header=field", got '${pair}'`);
          mapping[pair.slice(0, at)] = pair.slice(at + 1);
        }
        const input = {
          businessId: requireUuid('--business', opts.business),
          file: path.resolve(file),
          onMatch: opts.onMatch,
          ...(opts.map.length > 0 && { mapping }),
          ...(opts.dryRun && { dryRun: true }),
          ...(opts.template && { templateId: opts.template }),
          ...(opts.saveTemplate && { saveTemplateAs: opts.saveTemplate }),
          ...(opts.country && { defaultCountry: opts.country }),
        };
        const bar = process.stderr.isTTY && !opts.json ? progressBar() : undefined;
        const result = (await runWorkflow('importContactsCsv', input, undefined, bar)) as ImportResult;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        process.stdout.write(describeImport(result));
      },
    );

  program
    .command('export')
    .description("export a business's contacts to a CSV file that imports back unchanged")
    .requiredOption('--business <id>', 'business id')
    .option('--tag <tag>', 'only contacts with this tag (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--include-archived', 'include archived contacts')
    .option('--out <file>', 'where to write (default: contacts-<date>.csv here)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { business: string; tag: string[]; includeArchived?: boolean; out?: string; json?: boolean }) => {
      const output = path.resolve(opts.out ?? `contacts-${new Date().toISOString().slice(0, 10)}.csv`);
      const result = (await runWorkflow('exportContactsCsv', {
        businessId: requireUuid('--business', opts.business),
        output,
        ...(opts.tag.length > 0 && { tags: opts.tag }),
        ...(opts.includeArchived && { includeArchived: true }),
      })) as { output: string; rows: number };
      print(Boolean(opts.json), result, `${result.rows} contacts written to ${result.output}`);
    });

  return program;
}

/** Starts a workflow on Switchboard's task queue and waits for it, polling its progress query for `onProgress`. */
async function runWorkflow(type: string, input: unknown, workflowId?: string, onProgress?: ProgressBar): Promise<unknown> {
  const { temporalAddress, namespace, taskQueue } = await endpoints();
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: temporalAddress, connectTimeout: '5 seconds' });
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${temporalAddress}: ${(error as Error).message} (is \`npm start\` running, or TEMPORAL_ADDRESS set?)`);
  }
  try {
    const client = new Client({ connection, namespace });
    const handle = await client.workflow.start(type, { args: [input], taskQueue, workflowId: workflowId ?? `${type}-${randomUUID()}` });
    let finished = false;
    const polling = onProgress
      ? (async () => {
          while (!finished) {
            const progress = await handle.query<ImportProgress>('progress').catch(() => undefined);
            if (progress && !finished) onProgress.update(progress);
            await sleep(500);
          }
        })()
      : Promise.resolve();
    try {
      return await handle.result();
    } finally {
      finished = true;
      await polling;
      onProgress?.done();
    }
  } catch (error) {
    if (error instanceof WorkflowFailedError) throw new CliError(`${type} failed: ${error.cause?.message ?? error.message}`);
    throw error;
  } finally {
    await connection.close();
  }
}

interface ProgressBar {
  update(progress: ImportProgress): void;
  done(): void;
}

/** One line on the terminal, redrawn in place. */
function progressBar(): ProgressBar {
  let drawn = false;
  return {
    update(p) {
      const total = Math.max(p.rowsTotal, 1);
      const share = Math.min(1, p.rowsDone / total);
      const width = 30;
      const filled = Math.round(share * width);
      const line =
        `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(share * 100)}% ` +
        `${p.rowsDone.toLocaleString('en')}/${p.rowsTotalIsEstimate ? '~' : ''}${p.rowsTotal.toLocaleString('en')} rows ` +
        `(${p.created} created, ${p.updated} updated, ${p.skipped} skipped, ${p.failed} failed)`;
      process.stderr.write(`\r${line}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

function describeImport(result: ImportResult): string {
  const lines = [
    `import ${result.importId}: ${result.status}`,
    `${result.rows} rows: ${result.created} created, ${result.updated} updated, ${result.skipped} skipped, ${result.failed} failed`,
  ];
  if (result.status === 'dry-run') {
    lines.push('mapping:', ...result.mapping.map((m) => `  ${m.header} -> ${m.field} (${m.reason})`));
  }
  if (result.errors.length > 0) lines.push('errors:', ...result.errors.slice(0, 20).map((e) => `  ${e.message}`));
  if (result.errorReport) lines.push(`error report: ${result.errorReport}`);
  return `${lines.join('\n')}\n`;
}

async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`--input-file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = error instanceof CliError || (error as Error)?.name === 'ConfigError' ? (error as Error).message : String((error as Error)?.message ?? error);
    process.stderr.write(`switchboard: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
