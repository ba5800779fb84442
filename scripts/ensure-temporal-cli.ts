import { resolveTemporalCli } from '../worker/temporal-cli';

/** Run before the tests so that a first-time Go build of the Temporal CLI happens outside any test timeout. */
resolveTemporalCli((message) => process.stderr.write(`${message}\n`)).then(
  (cli) => process.stderr.write(cli ? `Temporal CLI: ${cli}\n` : 'No Temporal CLI and no Go: the tests will download the dev server\n'),
  (error: unknown) => {
    process.stderr.write(`could not install the Temporal CLI: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
