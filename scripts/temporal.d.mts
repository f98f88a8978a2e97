import type { ChildProcess } from 'node:child_process';

export const TEMPORAL_CLI_VERSION: string;
export const SEARCH_ATTRIBUTES: Readonly<Record<string, string>>;
export function dynamicConfigValues(text?: string): string[];
export function ensureTemporalCli(options?: { log?: (...parts: unknown[]) => void }): Promise<string>;
export function splitAddress(address: string): { host: string; port: number };
export function isReachable(address: string, timeoutMs?: number): Promise<boolean>;
export function registerSearchAttributes(options: { cliPath: string; address: string; namespace?: string }): Promise<void>;
export interface DevServer {
  address: string;
  uiUrl?: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}
export type SqliteStore = 'wal' | 'file' | 'memory';
export const SQLITE_STORES: Readonly<Record<SqliteStore, readonly string[]>>;
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
