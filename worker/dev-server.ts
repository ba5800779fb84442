import { TestWorkflowEnvironment } from '@temporalio/testing';
import { switchboardSearchAttributes } from '../domain/search-attributes';
import { resolveTemporalCli } from './temporal-cli';

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` with Switchboard's search attributes registered. With a dbFilename the
 * server's state (workflows, schedules) survives a restart.
 */
export async function startDevServer(options: {
  port?: number;
  uiPort?: number;
  dbFilename?: string;
  namespace?: string;
  log?: (message: string) => void;
}): Promise<DevServer> {
  const cli = await resolveTemporalCli(options.log);
  if (!cli) options.log?.('No Temporal CLI and no Go found: downloading the Temporal dev server…');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      ip: '127.0.0.1',
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      namespace: options.namespace,
      searchAttributes: switchboardSearchAttributes,
      log: { format: 'json', level: 'error' },
    },
  });
  const address = env.address;
  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://localhost:${options.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}
