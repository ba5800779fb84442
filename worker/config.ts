import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const hostPort = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The project's folder: the nearest one above this module with a package.json, from the sources and from `dist/`
 * alike. Local mode keeps its data there by default, so that `npm start` and the CLI, run from any folder of the
 * project, find the same stack.
 */
function projectDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

function positiveInt(name: string, fallback: number) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) {
        ctx.addIssue({ code: 'custom', message: `'${value}' is not a whole number of 1 or more` });
        return z.NEVER;
      }
      return n;
    })
    .describe(name);
}

function port(fallback: number) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: `'${value}' is not a TCP port (1-65535)` });
        return z.NEVER;
      }
      return n;
    });
}

const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

function optionalText() {
  return z.preprocess(emptyAsUndefined, z.string().optional());
}

const urlText = z
  .string()
  .refine((v) => /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v), { message: 'must be an http(s) URL, e.g. https://api.example.com' })
  .transform((v) => v.replace(/\/+$/, ''));

function httpUrl(fallback: string) {
  return z.preprocess(emptyAsUndefined, urlText.default(fallback));
}

function optionalHttpUrl() {
  return z.preprocess(emptyAsUndefined, urlText.optional());
}

const envSchema = z.object({
  SWITCHBOARD_MODE: z.preprocess(
    emptyAsUndefined,
    z.enum(['local', 'production'], { message: "must be 'local' or 'production'" }).optional(),
  ),
  NODE_ENV: z.string().optional(),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v), {
        message: 'must be a postgres:// URL, e.g. postgres://user:password@host:5432/switchboard',
      })
      .optional(),
  ),
  TEMPORAL_ADDRESS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => hostPort.test(v) && Number(hostPort.exec(v)?.[2]) <= 65535, {
        message: 'must be host:port, e.g. localhost:7233',
      })
      .optional(),
  ),
  TEMPORAL_NAMESPACE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'must be a Temporal namespace name (letters, digits, . _ -)')
      .default('default'),
  ),
  TEMPORAL_TASK_QUEUE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\S{1,255}$/, 'must be a task queue name without spaces')
      .default('switchboard'),
  ),
  SWITCHBOARD_SECRET_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => decodeSecretKey(v) !== undefined, {
        message: 'must be 32 random bytes, as 64 hex characters or base64 (generate one with `openssl rand -base64 32`)',
      })
      .optional(),
  ),
  SWITCHBOARD_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default(() => path.join(projectDir(), '.switchboard'))),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(logLevels, { message: `must be one of ${logLevels.join(', ')}` }).default('info'),
  ),
  TEMPORAL_UI_PORT: port(8233),
  SWITCHBOARD_PG_PORT: port(5433),
  WORKER_MAX_CACHED_WORKFLOWS: positiveInt('WORKER_MAX_CACHED_WORKFLOWS', 200),
  WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt('WORKER_MAX_CONCURRENT_ACTIVITIES', 20),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: positiveInt('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 20),
  WORKER_SHUTDOWN_GRACE_SECONDS: positiveInt('WORKER_SHUTDOWN_GRACE_SECONDS', 30),
  XERO_CLIENT_ID: optionalText(),
  XERO_CLIENT_SECRET: optionalText(),
  XERO_REDIRECT_URI: httpUrl('http://localhost:8734/callback'),
  XERO_API_URL: httpUrl('https://api.xero.com'),
  XERO_IDENTITY_URL: httpUrl('https://identity.xero.com'),
  XERO_LOGIN_URL: httpUrl('https://login.xero.com'),
  XERO_WEBHOOK_KEY: optionalText(),
  QBO_CLIENT_ID: optionalText(),
  QBO_CLIENT_SECRET: optionalText(),
  QBO_REDIRECT_URI: httpUrl('http://localhost:8734/callback'),
  QBO_ENVIRONMENT: z.preprocess(
    emptyAsUndefined,
    z.enum(['sandbox', 'production'], { message: "must be 'sandbox' or 'production'" }).default('sandbox'),
  ),
  QBO_API_URL: optionalHttpUrl(),
  QBO_OAUTH_URL: httpUrl('https://oauth.platform.intuit.com'),
  QBO_AUTHORIZE_URL: httpUrl('https://appcenter.intuit.com/connect/oauth2'),
  QBO_WEBHOOK_VERIFIER_TOKEN: optionalText(),
  WEBHOOK_PORT: z.preprocess(emptyAsUndefined, port(0).optional()),
});

/** Where each accounting provider lives and how this app is registered with it; tests point these at local fakes. */
export interface ProviderConfig {
  xero: {
    clientId?: string;
    clientSecret?: string;
    redirectUri: string;
    apiUrl: string;
    identityUrl: string;
    loginUrl: string;
    webhookKey?: string;
  };
  quickbooks: {
    clientId?: string;
    clientSecret?: string;
    redirectUri: string;
    environment: 'sandbox' | 'production';
    apiUrl: string;
    oauthUrl: string;
    authorizeUrl: string;
    verifierToken?: string;
  };
}

export interface Config {
  mode: 'local' | 'production';
  /** Absent in local mode: an embedded Postgres is started instead. */
  databaseUrl?: string;
  temporalAddress: string;
  /** False when TEMPORAL_ADDRESS was not given, which in local mode means: start a dev server. */
  temporalAddressGiven: boolean;
  temporalNamespace: string;
  taskQueue: string;
  secretKey?: Buffer;
  dataDir: string;
  logLevel: (typeof logLevels)[number];
  temporalUiPort: number;
  embeddedPostgresPort: number;
  worker: {
    maxCachedWorkflows: number;
    maxConcurrentActivityTaskExecutions: number;
    maxConcurrentWorkflowTaskExecutions: number;
    shutdownGraceSeconds: number;
  };
  providers: ProviderConfig;
  /** Where the webhook receiver listens; absent means no receiver in this process. */
  webhookPort?: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Accepts 64 hex characters or base64 of exactly 32 bytes. */
export function decodeSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length === 32) return bytes;
  }
  return undefined;
}

/** Reads and checks the environment; every bad value is reported at once, by its variable name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const given = env[name];
        return given === undefined ? `${name} ${issue.message}` : `${name}=${JSON.stringify(given)}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const mode = e.SWITCHBOARD_MODE ?? (e.NODE_ENV === 'production' ? 'production' : 'local');
  const problems: string[] = [];
  if (mode === 'production') {
    if (!e.DATABASE_URL) problems.push('DATABASE_URL is required in production mode');
    if (!e.SWITCHBOARD_SECRET_KEY) {
      problems.push('SWITCHBOARD_SECRET_KEY is required in production mode (32 random bytes: `openssl rand -base64 32`)');
    }
    if (!e.TEMPORAL_ADDRESS) problems.push('TEMPORAL_ADDRESS is required in production mode (e.g. temporal.example.com:7233)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    mode,
    databaseUrl: e.DATABASE_URL,
    temporalAddress: e.TEMPORAL_ADDRESS ?? 'localhost:7233',
    temporalAddressGiven: e.TEMPORAL_ADDRESS !== undefined,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    secretKey: e.SWITCHBOARD_SECRET_KEY ? decodeSecretKey(e.SWITCHBOARD_SECRET_KEY) : undefined,
    dataDir: e.SWITCHBOARD_DATA_DIR,
    logLevel: e.LOG_LEVEL,
    temporalUiPort: e.TEMPORAL_UI_PORT,
    embeddedPostgresPort: e.SWITCHBOARD_PG_PORT,
    worker: {
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      shutdownGraceSeconds: e.WORKER_SHUTDOWN_GRACE_SECONDS,
    },
    providers: {
      xero: {
        clientId: e.XERO_CLIENT_ID,
        clientSecret: e.XERO_CLIENT_SECRET,
        redirectUri: e.XERO_REDIRECT_URI,
        apiUrl: e.XERO_API_URL,
        identityUrl: e.XERO_IDENTITY_URL,
        loginUrl: e.XERO_LOGIN_URL,
        webhookKey: e.XERO_WEBHOOK_KEY,
      },
      quickbooks: {
        clientId: e.QBO_CLIENT_ID,
        clientSecret: e.QBO_CLIENT_SECRET,
        redirectUri: e.QBO_REDIRECT_URI,
        environment: e.QBO_ENVIRONMENT,
        apiUrl:
          e.QBO_API_URL ??
          (e.QBO_ENVIRONMENT === 'production' ? 'https://quickbooks.api.intuit.com' : 'https://sandbox-quickbooks.api.intuit.com'),
        oauthUrl: e.QBO_OAUTH_URL,
        authorizeUrl: e.QBO_AUTHORIZE_URL,
        verifierToken: e.QBO_WEBHOOK_VERIFIER_TOKEN,
      },
    },
    webhookPort: e.WEBHOOK_PORT,
  };
}
