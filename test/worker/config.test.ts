import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../worker/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const key = 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=';

describe('configuration from the environment', () => {
  it('has embedded defaults for local mode', () => {
    expect(loadConfig({})).toMatchObject({
      mode: 'local',
      databaseUrl: undefined,
      temporalAddress: 'localhost:7233',
      temporalAddressGiven: false,
      temporalNamespace: 'default',
      taskQueue: 'switchboard',
      secretKey: undefined,
      temporalUiPort: 8233,
      worker: { maxCachedWorkflows: 200, maxConcurrentActivityTaskExecutions: 20 },
    });
  });

  it('keeps local data in the project folder by default, whichever folder it is run from', () => {
    expect(loadConfig({}).dataDir).toBe(path.join(__dirname, '..', '..', '.switchboard'));
    expect(loadConfig({ SWITCHBOARD_DATA_DIR: 'state' }).dataDir).toBe('state');
  });

  it('reads every setting it is given', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:pw@db:5432/switchboard',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'clinics',
      TEMPORAL_TASK_QUEUE: 'switchboard-eu',
      SWITCHBOARD_SECRET_KEY: key,
      WORKER_MAX_CACHED_WORKFLOWS: '50',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://app:pw@db:5432/switchboard',
      temporalAddress: 'temporal.internal:7233',
      temporalAddressGiven: true,
      temporalNamespace: 'clinics',
      taskQueue: 'switchboard-eu',
      worker: { maxCachedWorkflows: 50 },
    });
    expect(config.secretKey?.length).toBe(32);
  });

  it.each([
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL="mysql://x": must be a postgres:// URL, e.g. postgres://user:password@host:5432/switchboard'],
    [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS="localhost": must be host:port, e.g. localhost:7233'],
    [{ TEMPORAL_ADDRESS: 'localhost:99999' }, 'TEMPORAL_ADDRESS="localhost:99999": must be host:port, e.g. localhost:7233'],
    [{ TEMPORAL_TASK_QUEUE: 'two words' }, 'TEMPORAL_TASK_QUEUE="two words": must be a task queue name without spaces'],
    [{ TEMPORAL_NAMESPACE: '-bad' }, 'TEMPORAL_NAMESPACE="-bad": must be a Temporal namespace name (letters, digits, . _ -)'],
    [
      { SWITCHBOARD_SECRET_KEY: 'short' },
      'SWITCHBOARD_SECRET_KEY="short": must be 32 random bytes, as 64 hex characters or base64 (generate one with `openssl rand -base64 32`)',
    ],
    [{ SWITCHBOARD_MODE: 'prod' }, 'SWITCHBOARD_MODE="prod": must be \'local\' or \'production\''],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ WORKER_MAX_CACHED_WORKFLOWS: '0' }, 'WORKER_MAX_CACHED_WORKFLOWS="0": \'0\' is not a whole number of 1 or more'],
    [{ TEMPORAL_UI_PORT: 'http' }, 'TEMPORAL_UI_PORT="http": \'http\' is not a TCP port (1-65535)'],
  ])('rejects %j with a message naming the variable', (env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });

  it('reports every bad value at once', () => {
    expect(problemsOf({ DATABASE_URL: 'x', TEMPORAL_ADDRESS: 'y' })).toHaveLength(2);
  });

  it('requires the database, Temporal and a secret key in production mode', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'DATABASE_URL is required in production mode',
      'SWITCHBOARD_SECRET_KEY is required in production mode (32 random bytes: `openssl rand -base64 32`)',
      'TEMPORAL_ADDRESS is required in production mode (e.g. temporal.example.com:7233)',
    ]);
  });
});
