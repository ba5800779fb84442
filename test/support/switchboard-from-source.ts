// The CLI's entry for the tests: see `cliFromSource`.
import { runCli } from '../../cli/switchboard';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
