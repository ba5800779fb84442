import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { workflowsPath } from '../worker/worker';

/** Pre-bundles the workflows so that a production worker starts without webpack. */
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath });
  const out = path.join(__dirname, '..', 'dist', 'workflow-bundle.js');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, code);
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)} (${Math.round(code.length / 1024)} KiB)\n`);
}

void main();
