import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { Command, CommanderError, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { openDatabase, type Database } from '../db/client';
import { createBusiness, findBusiness, listBusinesses } from '../db/businesses';
import { findImport, listImportProblems, listImports, listTemplates, type ImportSummary } from '../db/imports';
import { listContacts } from '../db/contacts';
import { describeCounts, formatCount } from '../domain/import/counts';
import { exportColumnNames } from '../domain/import/fields';
import { isValidCountryCode } from '../domain/phone';
import { exampleInputs, isUuid, syncWorkflowId, workflowTypes } from '../domain/inputs';
import { loadConfig, type Config } from '../worker/config';
import { readLocalRuntimeInfo } from '../worker/runtime';
import { createQuickBooksConnector } from '../connectors/providers/quickbooks';
import { createXeroConnector } from '../connectors/providers/xero';
import { findConnection, listConnections, saveConnection, setConnectionStatus, type ConnectionSummary } from '../db/connections';
import type { Provider } from '../domain/sync/remote';
import { createSecretBox, loadOrCreateLocalSecretKey, type SecretBox } from '../worker/secret-box';
import { applySchedules } from '../worker/schedules';
import { receiveAuthorization } from './oauth-connect';
import type { ImportProgress, ImportResult } from '../workflows/import';
import type { UndoImportResult } from '../workflows/undo-import';
import { currentProgress, progressBar, progressOfResult, type ProgressBar } from './import-progress';

/** A problem the operator can fix: printed as one line, exit code 1. */
class CliError extends Error {}

function requireUuid(flag: string, value: string, what = 'a business id'): string {
  if (!isUuid(value)) throw new CliError(`${flag} must be ${what} (a UUID), got '${value}'`);
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
  const { databaseUrl, config } = await endpoints();
  if (!databaseUrl) {
    throw new CliError(`no database: set DATABASE_URL, or start Switchboard locally with \`npm start\` (none is running with its data in ${path.resolve(config.dataDir)})`);
  }
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

  businesses
    .command('list')
    .description('list businesses: id, name, default country, identity policy')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const rows = await withDatabase(({ db }) => listBusinesses(db));
      const lines = rows.map((b) => [b.id, b.name, b.defaultCountry, b.identityPolicy].join('\t'));
      print(Boolean(opts.json), rows, lines.length > 0 ? lines.join('\n') : '(no businesses: create one with `switchboard businesses create`)');
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

  const connections = program.command('connections').description('links to Xero organisations and QuickBooks companies');
  connections
    .command('add')
    .description('add a connection with tokens obtained elsewhere (they are stored encrypted)')
    .requiredOption('--business <id>', 'business id')
    .addOption(new Option('--provider <provider>', 'xero or quickbooks').choices(['xero', 'quickbooks']).makeOptionMandatory())
    .requiredOption('--access-token <token>', 'OAuth access token')
    .requiredOption('--refresh-token <token>', 'OAuth refresh token')
    .requiredOption('--expires-at <time>', 'when the access token expires (ISO 8601)')
    .option('--tenant <id>', 'Xero tenant id (organisation)')
    .option('--realm <id>', 'QuickBooks realm id (company)')
    .option('--tenant-name <name>', 'a name to show for the organisation or company')
    .option('--interval <minutes>', 'minutes between scheduled syncs', '15')
    .option('--outage-budget <minutes>', 'how long provider outages are retried before a sync gives up', '360')
    .option('--json', 'print JSON')
    .action(async (opts: { business: string; provider: Provider; accessToken: string; refreshToken: string; expiresAt: string; tenant?: string; realm?: string; tenantName?: string; interval: string; outageBudget: string; json?: boolean }) => {
      const businessId = requireUuid('--business', opts.business);
      const tenantId = opts.provider === 'xero' ? opts.tenant : opts.realm;
      const flag = opts.provider === 'xero' ? '--tenant' : '--realm';
      if (!tenantId || tenantId.trim() === '') throw new CliError(`${flag} is required for a ${opts.provider} connection`);
      if ((opts.provider === 'xero' && opts.realm) || (opts.provider === 'quickbooks' && opts.tenant)) {
        throw new CliError(`use ${flag} for a ${opts.provider} connection`);
      }
      const expiresAt = new Date(opts.expiresAt);
      if (Number.isNaN(expiresAt.getTime())) throw new CliError(`--expires-at must be a time such as 2026-01-31T10:00:00Z, got '${opts.expiresAt}'`);
      const connection = await withDatabase(async (database) =>
        saveConnection(database.sql, await cliSecretBox(), {
          businessId,
          provider: opts.provider,
          tenantId: tenantId.trim(),
          tenantName: opts.tenantName,
          tokens: { accessToken: opts.accessToken, refreshToken: opts.refreshToken, expiresAt },
          syncIntervalMinutes: wholeMinutes('--interval', opts.interval),
          outageBudgetMinutes: wholeMinutes('--outage-budget', opts.outageBudget),
        }).catch(rethrowNotFound),
      );
      print(Boolean(opts.json), connection, connection.id);
    });
  connections
    .command('list')
    .description('list connections (never their tokens)')
    .option('--business <id>', 'only this business')
    .option('--json', 'print JSON')
    .action(async (opts: { business?: string; json?: boolean }) => {
      const businessId = opts.business === undefined ? undefined : requireUuid('--business', opts.business);
      const rows = await withDatabase((database) => listConnections(database.sql, { businessId }));
      print(Boolean(opts.json), rows, rows.length > 0 ? rows.map(describeConnection).join('\n') : '(no connections)');
    });
  for (const [name, status] of [['pause', 'disabled'], ['resume', 'active']] as const) {
    connections
      .command(name)
      .description(name === 'pause' ? 'stop syncing a connection (its schedule is paused)' : 'sync a paused connection again')
      .argument('<connectionId>', 'connection id')
      .action(async (connectionId: string) => {
        const id = requireUuid('<connectionId>', connectionId, 'a connection id');
        await withDatabase(async (database) => {
          if (!(await findConnection(database.sql, id))) throw new CliError(`no connection ${id}`);
          await setConnectionStatus(database.sql, id, status);
          await withTemporal(async (client, taskQueue) => applySchedules(client, database.sql, taskQueue));
        });
        process.stdout.write(`connection ${id} is ${status}; schedules applied\n`);
      });
  }

  program
    .command('connect')
    .description('authorise Switchboard with Xero or QuickBooks in a browser (OAuth2) and add the connection')
    .argument('<provider>', 'xero or quickbooks')
    .requiredOption('--business <id>', 'business id')
    .option('--tenant <id>', 'Xero: which organisation, when the consent covers several')
    .option('--json', 'print JSON')
    .action(async (provider: string, opts: { business: string; tenant?: string; json?: boolean }) => {
      if (provider !== 'xero' && provider !== 'quickbooks') throw new CliError(`<provider> must be xero or quickbooks, got '${provider}'`);
      const businessId = requireUuid('--business', opts.business);
      const { config } = await endpoints();
      const added = await withDatabase(async (database) => {
        if (!(await findBusiness(database.db, businessId))) throw new CliError(`no business ${businessId}`);
        return connectAccount({ provider, businessId, config, tenantId: opts.tenant, sql: database.sql, secretBox: await cliSecretBox(), showUrl: (url) => process.stderr.write(`Open this address in a browser and approve access:\n\n  ${url}\n\nWaiting for the authorisation…\n`) });
      });
      print(Boolean(opts.json), added, added.map(describeConnection).join('\n'));
    });

  program
    .command('schedules')
    .description('Temporal schedules of the syncs')
    .command('apply')
    .description('create or update one schedule per connection (paused for connections that are not active)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const report = await withDatabase((database) => withTemporal((client, taskQueue) => applySchedules(client, database.sql, taskQueue)));
      print(
        Boolean(opts.json),
        report,
        `schedules: ${report.created.length} created, ${report.updated.length} updated, ${report.paused.length} paused, ${report.deleted.length} deleted`,
      );
    });

  program
    .command('sync')
    .description('sync a connection now and print the result')
    .argument('<connectionId>', 'connection id')
    .option('--full', 'read every record again and detect the ones that disappeared')
    .action(async (connectionId: string, opts: { full?: boolean }) => {
      const id = requireUuid('<connectionId>', connectionId, 'a connection id');
      const result = await runWorkflow('syncConnection', { connectionId: id, mode: opts.full ? 'full' : 'incremental' }, { workflowId: syncWorkflowId(id) });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
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
      const result = await runWorkflow(type, input, { workflowId: opts.id });
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
    .option('--template <id-or-name>', 'use a mapping template saved with --save-template, by its id or name')
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
          file: absoluteUnlessUrl(file),
          onMatch: opts.onMatch,
          ...(opts.map.length > 0 && { mapping }),
          ...(opts.dryRun && { dryRun: true }),
          // Given empty, they are refused by name rather than left out.
          ...(opts.template !== undefined && { templateId: opts.template }),
          ...(opts.saveTemplate !== undefined && { saveTemplateAs: opts.saveTemplate }),
          ...(opts.country !== undefined && { defaultCountry: opts.country }),
        };
        const bar = process.stderr.isTTY && !opts.json ? progressBar() : undefined;
        const flags = { businessId: '--business', mapping: '--map', onMatch: '--on-match', templateId: '--template', saveTemplateAs: '--save-template', defaultCountry: '--country' };
        const result = (await runWorkflow('importContactsCsv', input, { flags, onProgress: bar, lastProgress: (r) => progressOfResult(r as ImportResult), cancelOnInterrupt: true })) as ImportResult;
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : describeImport(result));
        if (result.status === 'cancelled') {
          throw new CliError(
            `import ${result.importId} was cancelled after ${formatCount(result.rows)} rows: import the file again to do the rest (the rows done are skipped), or undo it with \`switchboard imports undo ${result.importId}\``,
          );
        }
      },
    );

  const imports = program.command('imports').description("a business's CSV imports, and undoing one");
  imports
    .command('list')
    .description('list imports, the latest first: id, start, status, what each did, file')
    .requiredOption('--business <id>', 'business id')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (opts: { business: string; limit: string; json?: boolean }) => {
      const businessId = requireUuid('--business', opts.business);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a whole number (1 or more), got '${opts.limit}'`);
      const rows = await withDatabase(async (database) => {
        if (!(await findBusiness(database.db, businessId))) throw new CliError(`no business ${businessId}`);
        return listImports(database.sql, businessId, limit);
      });
      print(Boolean(opts.json), rows, rows.length > 0 ? rows.map(describeImportSummary).join('\n') : '(no imports)');
    });
  imports
    .command('problems')
    .description("every row an import failed, and every row it imported with a value left out, with why (its result lists the first 50)")
    .argument('<importId>', "import id (from the import's result or `switchboard imports list`)")
    .option('--json', 'print JSON')
    .action(async (importId: string, opts: { json?: boolean }) => {
      const id = requireUuid('<importId>', importId, 'an import id');
      const { status, problems } = await withDatabase(async (database) => {
        const found = await findImport(database.db, id);
        if (!found) throw new CliError(`no import ${id}: find its id with \`switchboard imports list --business <id>\``);
        return { status: found.status, problems: await listImportProblems(database.sql, id) };
      });
      const failed = problems.filter((p) => p.outcome === 'failed');
      const warned = problems.filter((p) => p.outcome !== 'failed');
      const lines = (list: typeof problems) => list.map((p) => `  row ${p.row}: ${p.message}`);
      const text =
        status === 'undone'
          ? `import ${id} was undone: the record of its rows went with it`
          : problems.length === 0
            ? `import ${id}: no problems`
            : [
                ...(failed.length > 0 ? [`errors: ${plural(rowsIn(failed), 'row')} not imported:`, ...lines(failed)] : []),
                ...(warned.length > 0 ? [`warnings: ${plural(rowsIn(warned), 'row')} imported with values left out:`, ...lines(warned)] : []),
              ].join('\n');
      print(Boolean(opts.json), problems, text);
    });
  imports
    .command('templates')
    .description('list the mapping templates a business saved with --save-template, for --template')
    .requiredOption('--business <id>', 'business id')
    .option('--json', 'print JSON')
    .action(async (opts: { business: string; json?: boolean }) => {
      const businessId = requireUuid('--business', opts.business);
      const rows = await withDatabase(async ({ db }) => {
        if (!(await findBusiness(db, businessId))) throw new CliError(`no business ${businessId}`);
        return listTemplates(db, businessId);
      });
      const none = '(no templates: save one with `switchboard import <file> --business <id> --save-template <name>`)';
      print(Boolean(opts.json), rows, rows.length > 0 ? rows.map((t) => `${t.id}\t${t.name}`).join('\n') : none);
    });
  imports
    .command('undo')
    .description('undo an import: delete the contacts it created (unless they have open conversations or invoices, or were changed since) and restore what it updated')
    .argument('<importId>', 'import id (from the import\'s result or `switchboard imports list`)')
    .option('--json', 'print the result as JSON')
    .action(async (importId: string, opts: { json?: boolean }) => {
      const id = requireUuid('<importId>', importId, 'an import id');
      // One undo of an import at a time: a second one started meanwhile waits for the first's result.
      const result = (await runWorkflow('undoImport', { importId: id }, { workflowId: `undoImport-${id}`, joinRunning: true })) as UndoImportResult;
      const kept = result.kept > 0 ? `; ${formatCount(result.kept)} kept: they have open conversations or invoices now, or were changed since` : '';
      const changed = result.changedSince > 0 ? `; ${plural(result.changedSince, 'value')} changed since the import left as they are` : '';
      const text = result.alreadyUndone
        ? `import ${result.importId} was undone before: nothing to do`
        : `import ${result.importId} undone: ${plural(result.deleted, 'contact')} deleted, ${plural(result.restored, 'update')} restored${kept}${changed}`;
      print(Boolean(opts.json), result, text);
    });

  program
    .command('export')
    .description("export a business's contacts to a CSV file that imports back unchanged")
    .requiredOption('--business <id>', 'business id')
    .option('--tag <tag>', 'only contacts with this tag (repeatable)', (v: string, all: string[]) => {
      if (v.trim() === '') throw new CliError('--tag must not be empty');
      return [...all, v];
    }, [])
    .option('--include-archived', 'include archived contacts')
    .option('--columns <list>', `the columns, comma-separated, in order (e.g. id,firstName,lastName,tags; of ${exportColumnNames.join(', ')})`)
    .option('--out <file>', 'where to write (default: contacts-<date>.csv here)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { business: string; tag: string[]; includeArchived?: boolean; columns?: string; out?: string; json?: boolean }) => {
      const output = absoluteUnlessUrl(opts.out ?? `contacts-${new Date().toISOString().slice(0, 10)}.csv`);
      const columns = opts.columns?.split(',').map((column) => column.trim()).filter((column) => column !== '');
      if (columns?.length === 0) throw new CliError('--columns must name at least one column');
      const result = (await runWorkflow('exportContactsCsv', {
        businessId: requireUuid('--business', opts.business),
        output,
        ...(opts.tag.length > 0 && { tags: opts.tag }),
        ...(opts.includeArchived && { includeArchived: true }),
        ...(columns !== undefined && { columns }),
      }, { flags: { businessId: '--business', output: '--out', tags: '--tag', columns: '--columns' } })) as { output: string; rows: number };
      print(Boolean(opts.json), result, `${plural(result.rows, 'contact')} written to ${result.output}`);
    });

  return program;
}

function wholeMinutes(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a whole number of minutes (1 or more), got '${text}'`);
  return n;
}

function rethrowNotFound(error: unknown): never {
  if ((error as Error)?.name === 'SwitchboardError') throw new CliError((error as Error).message);
  throw error;
}

function describeConnection(c: ConnectionSummary): string {
  const last = c.lastSyncAt ? `last sync ${c.lastSyncAt.toISOString()}` : 'never synced';
  return [c.id, c.provider, c.tenantId, c.tenantName ?? '', c.status, `every ${c.syncIntervalMinutes} min`, last, c.lastError ?? ''].join('\t').trimEnd();
}

/** The key the worker seals tokens with: SWITCHBOARD_SECRET_KEY, or in local mode the one kept in the data folder. */
async function cliSecretBox(): Promise<SecretBox> {
  const { config } = await endpoints();
  return createSecretBox(config.secretKey ?? (await loadOrCreateLocalSecretKey(path.resolve(config.dataDir))));
}

async function withTemporal<T>(use: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const { temporalAddress, namespace, taskQueue } = await endpoints();
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: temporalAddress, connectTimeout: '5 seconds' });
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${temporalAddress}: ${(error as Error).message} (is \`npm start\` running, or TEMPORAL_ADDRESS set?)`);
  }
  try {
    return await use(new Client({ connection, namespace }), taskQueue);
  } finally {
    await connection.close();
  }
}

/** The OAuth2 authorization-code flow, then one connection per organisation (Xero) or the chosen company (QuickBooks). */
export async function connectAccount(options: {
  provider: Provider;
  businessId: string;
  config: Config;
  sql: Database['sql'];
  secretBox: SecretBox;
  /** Xero: the organisation to connect when the consent covers several. */
  tenantId?: string;
  showUrl: (url: string) => void;
}): Promise<ConnectionSummary[]> {
  const { provider, config } = options;
  const connector = provider === 'xero' ? createXeroConnector(config.providers.xero) : createQuickBooksConnector(config.providers.quickbooks);
  const settings = config.providers[provider];
  if (!settings.clientId || !settings.clientSecret) {
    const prefix = provider === 'xero' ? 'XERO' : 'QBO';
    throw new CliError(`set ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET (from your app in the ${provider === 'xero' ? 'Xero' : 'Intuit'} developer portal) first`);
  }
  const authorization = await receiveAuthorization({
    redirectUri: settings.redirectUri,
    authorizeUrl: (state) => connector.authorizeUrl(state),
    showUrl: options.showUrl,
  }).catch((error: unknown) => {
    throw new CliError((error as Error).message);
  });
  const tokens = await connector.exchangeCode(authorization.code);
  let tenants: { tenantId: string; tenantName?: string }[];
  if (provider === 'xero') {
    tenants = await createXeroConnector(config.providers.xero).tenants(tokens.accessToken);
    if (tenants.length === 0) throw new CliError('Xero granted access to no organisation; run the command again and choose one');
    // One token set serves every organisation of a consent, and each refresh rotates it: one connection per consent.
    const chosen = options.tenantId ? tenants.filter((t) => t.tenantId === options.tenantId) : tenants;
    if (chosen.length !== 1) {
      const list = tenants.map((t) => `${t.tenantId} (${t.tenantName ?? ''})`).join(', ');
      throw new CliError(options.tenantId ? `the consent does not cover organisation ${options.tenantId}; it covers ${list}` : `the consent covers several organisations; run again with --tenant <id>, one of ${list}`);
    }
    tenants = chosen;
  } else {
    if (!authorization.realmId) throw new CliError('QuickBooks did not say which company was chosen (no realmId in the callback)');
    tenants = [{ tenantId: authorization.realmId }];
  }
  const [tenant] = tenants as [{ tenantId: string; tenantName?: string }];
  return [await saveConnection(options.sql, options.secretBox, { businessId: options.businessId, provider, tenantId: tenant.tenantId, tenantName: tenant.tenantName, tokens })];
}

/**
 * Starts a workflow on Switchboard's task queue and waits for it, polling its progress query for `onProgress`. With
 * `cancelOnInterrupt`, Ctrl-C asks the workflow to cancel and goes on waiting for what it returns; a second Ctrl-C
 * stops waiting and leaves the workflow to finish cancelling.
 */
async function runWorkflow(
  type: string,
  input: unknown,
  /**
   * `joinRunning`: a workflow of that id already running is waited for instead of failing the start. `flags`: the
   * command's option for each input field, by which a failure names what the operator typed.
   */
  options: {
    workflowId?: string;
    joinRunning?: boolean;
    flags?: Readonly<Record<string, string>>;
    onProgress?: ProgressBar;
    /** The progress the workflow's result shows, for the bar's last frame. */
    lastProgress?: (result: unknown) => ImportProgress | undefined;
    cancelOnInterrupt?: boolean;
  } = {},
): Promise<unknown> {
  const { onProgress } = options;
  return withTemporal(async (client, taskQueue) => {
    try {
      const handle = await client.workflow.start(type, {
        args: [input],
        taskQueue,
        workflowId: options.workflowId ?? `${type}-${randomUUID()}`,
        ...(options.joinRunning && { workflowIdConflictPolicy: 'USE_EXISTING' as const }),
      });
      const leave = () => {
        process.stderr.write(`\nstopped waiting; workflow ${handle.workflowId} finishes cancelling on its own\n`);
        process.exit(130);
      };
      const cancel = () => {
        process.stderr.write(`\ncancelling workflow ${handle.workflowId}: it stops at the end of the chunk under way (Ctrl-C again to stop waiting)\n`);
        process.once('SIGINT', leave);
        handle.cancel().catch((error: unknown) => process.stderr.write(`switchboard: could not cancel ${handle.workflowId}: ${(error as Error).message}\n`));
      };
      if (options.cancelOnInterrupt) process.once('SIGINT', cancel);
      let finished = false;
      const polling = onProgress
        ? (async () => {
            while (!finished) {
              const progress = await currentProgress(handle).catch(() => undefined);
              if (progress && !finished) onProgress.update(progress);
              await sleep(500);
            }
          })()
        : Promise.resolve();
      try {
        const result = await handle.result();
        finished = true;
        await polling;
        // The last poll may be from before the last chunk: the bar ends on what the workflow returned.
        const last = onProgress && options.lastProgress?.(result);
        if (last) onProgress.update(last);
        return result;
      } finally {
        finished = true;
        process.removeListener('SIGINT', cancel).removeListener('SIGINT', leave);
        await polling;
        onProgress?.done();
      }
    } catch (error) {
      if (error instanceof WorkflowFailedError) {
        // A failure about a field the operator gave no option for ("mapping: no column holds…") keeps the field's name.
        const given = options.flags && Object.fromEntries(Object.entries(options.flags).filter(([field]) => field in (input as object)));
        const message = inFlags(error.cause?.message ?? error.message, given);
        // The input check's failure names the workflow already.
        throw new CliError(message.startsWith(`${type} `) ? message : `${type} failed: ${message}`);
      }
      throw error;
    }
  });
}

/** A failure's message with each input field it names where a problem begins as the command's option for it. */
function inFlags(message: string, flags: Readonly<Record<string, string>> | undefined): string {
  if (flags === undefined) return message;
  return message.replace(/(^|: |; )([A-Za-z]+)(?=[ :.[])/g, (whole, before: string, field: string) => (flags[field] ? `${before}${flags[field]}` : whole));
}

/** A path the worker is to read or write, as the CLI's folder sees it; a file:// URL, which says where already, as given. */
function absoluteUnlessUrl(given: string): string {
  return /^file:/i.test(given) ? given : path.resolve(given);
}

function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function describeImportSummary(i: ImportSummary): string {
  const before = i.importedBefore === null ? '' : `; the rest skipped, held by import ${i.importedBefore}`;
  return [i.id, i.startedAt.toISOString(), i.status, i.status === 'undone' ? '' : `${describeCounts(i)}${before}`, i.file].join('\t');
}

const PROBLEMS_SHOWN = 20;

/** How many rows a list of row problems is about: a row may have several. */
function rowsIn(problems: readonly { row: number }[]): number {
  return new Set(problems.map((p) => p.row)).size;
}

function describeImport(result: ImportResult): string {
  const lines = [
    `import ${result.importId}: ${result.status}`,
    `${plural(result.rows, 'row')}: ${describeCounts(result)}`,
  ];
  if (result.status === 'dry-run') {
    lines.push('mapping:', ...result.mapping.map((m) => `  ${m.header} -> ${m.field} (${m.reason})`));
  }
  if (result.savedTemplate) {
    const { id, name } = result.savedTemplate;
    lines.push(`mapping saved as template '${name}' (${id}): use it again with --template '${name}'`);
  }
  const shownErrors = result.errors.slice(0, PROBLEMS_SHOWN);
  if (shownErrors.length > 0) lines.push('errors:', ...shownErrors.map((e) => `  ${e.message}`));
  // Results of imports that began before warnings were kept have none.
  const shownWarnings = (result.warnings ?? []).slice(0, PROBLEMS_SHOWN);
  if ((result.warned ?? 0) > 0) {
    lines.push(`warnings: ${plural(result.warned, 'row')} with values left out:`, ...shownWarnings.map((w) => `  ${w.message}`));
  }
  const failedShown = rowsIn(shownErrors.filter((e) => !('importedBefore' in e)));
  const unshown = Math.max(0, result.failed - failedShown) + Math.max(0, (result.warned ?? 0) - rowsIn(shownWarnings));
  if (result.status !== 'dry-run' && unshown > 0) {
    lines.push(`every problem, row by row: switchboard imports problems ${result.importId}`);
  } else if (unshown > 0) {
    // A dry run leaves no import whose problems could be listed.
    lines.push(`… and ${plural(unshown, 'more row')} with problems: --json lists the first ${result.errors.length + (result.warnings ?? []).length} problems, and the import itself all of them`);
  }
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
