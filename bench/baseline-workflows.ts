/** Every baseline workflow B1 runs, for the baseline worker's bundle. */
export * from './baseline-workflow.js';
export * from './baseline-lean-workflow.js';
