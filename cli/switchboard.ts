import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { Command, CommanderError, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openDatabase, type Database } from '../db/client';
import { createBusiness, findBusiness } from '../db/businesses';
import { listContacts } from '../db/contacts';
import { isValidCountryCode } from '../domain/phone';
import { exampleInputs, workflowTypes } from '../domain/inputs';
import { loadConfig, type Config } from '../worker/config';
import { readLocalRuntimeInfo } from '../worker/runtime';

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
    .description('Operate Switchboard: businesses, contacts and workflows')
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
      const { temporalAddress, namespace, taskQueue } = await endpoints();
      let connection: Connection;
      try {
        connection = await Connection.connect({ address: temporalAddress, connectTimeout: '5 seconds' });
      } catch (error) {
        throw new CliError(`cannot reach Temporal at ${temporalAddress}: ${(error as Error).message} (is \`npm start\` running, or TEMPORAL_ADDRESS set?)`);
      }
      try {
        const client = new Client({ connection, namespace });
        const result = await client.workflow.execute(type, {
          args: [input],
          taskQueue,
          workflowId: opts.id ?? `${type}-${randomUUID()}`,
        });
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } catch (error) {
        if (error instanceof WorkflowFailedError) {
          throw new CliError(`${type} failed: ${error.cause?.message ?? error.message}`);
        }
        throw error;
      } finally {
        await connection.close();
      }
    });

  return program;
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
