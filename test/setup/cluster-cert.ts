/**
 * For the faults project's cluster file: the cluster's self-signed certificate, made before the test
 * workers fork so they start trusting it (Node reads NODE_EXTRA_CA_CERTS once, at start), and the folder
 * the cluster keeps it in.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureCertificate } from '../../scripts/lib/cluster/edge.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clusterDataDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = path.resolve(import.meta.dirname, '..', '..', '.data', `cluster-faults-${process.pid}`);
  const { cert } = await ensureCertificate(path.join(dataDir, 'certs'), (line) => console.error('[cluster]', line));
  process.env.NODE_EXTRA_CA_CERTS = cert;
  project.provide('clusterDataDir', dataDir);
  return async () => {
    await rm(dataDir, { recursive: true, force: true });
  };
}
