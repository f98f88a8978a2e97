import type { ChildProcess } from 'node:child_process';

export const SEARCH_ATTRIBUTES: Readonly<Record<string, string>>;
export function dynamicConfigValues(text?: string): string[];
export function ensureTemporalCli(options?: { log?: (...parts: unknown[]) => void }): Promise<string>;
export function splitAddress(address: string): { host: string; port: number };
export function isReachable(address: string, timeoutMs?: number): Promise<boolean>;
export interface DevServer {
  address: string;
  uiUrl?: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}
export type SqliteStore = 'wal' | 'file' | 'memory';
export function startDevServer(options?: {
  cliPath?: string;
  port?: number;
  uiPort?: number;
  dbFile?: string;
  store?: SqliteStore;
  logFile?: string;
  namespace?: string;
  headless?: boolean;
  detached?: boolean;
  dynamicConfig?: string[];
  log?: (...parts: unknown[]) => void;
}): Promise<DevServer>;
