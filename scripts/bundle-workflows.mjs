// The workflow code as one bundle (webpack, through the Temporal SDK). `npm run build` writes it to
// dist/; a worker started from the sources runs this file as a child process and reads the bundle from
// its output, so webpack's memory (about 135 MB of RSS) leaves with the child instead of staying in the
// worker. `node scripts/bundle-workflows.mjs <workflows index>` prints the bundle.
import { bundleWorkflowCode } from '@temporalio/worker';

const quiet = { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error };

/** @param {string} workflowsPath @returns {Promise<string>} */
export async function bundleWorkflows(workflowsPath) {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  return code;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.argv[2]) {
    console.error('usage: node scripts/bundle-workflows.mjs <workflows index>');
    process.exit(2);
  }
  process.stdout.write(await bundleWorkflows(process.argv[2]));
}
