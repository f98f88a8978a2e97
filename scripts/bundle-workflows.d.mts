/** The workflow code as one bundle, as `npm run build` writes it (dist/workflow-bundle.js). */
export function bundleWorkflows(workflowsPath: string): Promise<string>;
