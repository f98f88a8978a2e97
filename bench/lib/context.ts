/** What every figure gets from bench/run.ts. */
import type { Database, Stack } from './env.js';
import type { FigureRow } from './table.js';

export interface Sizes {
  /** B1: deliveries measured, and how many run at once. */
  deliveries: number;
  lanes: number;
  /** B1 on each SQLite setting. */
  sqliteDeliveries: number;
  /** B3 and B4: seconds per autocannon run, and its connections. */
  seconds: number;
  connections: number;
  /** B5: socket clients and broadcasts. */
  clients: number;
  broadcasts: number;
  /** B7: open deliveries. */
  openDeliveries: number;
  /** B8: drivers in the metro area, and searches on each side. */
  fleetDrivers: number;
  searches: number;
}

export const FULL: Sizes = { deliveries: 200, lanes: 20, sqliteDeliveries: 100, seconds: 10, connections: 50, clients: 1000, broadcasts: 40, openDeliveries: 1000, fleetDrivers: 10_000, searches: 400 };
export const QUICK: Sizes = { deliveries: 12, lanes: 4, sqliteDeliveries: 8, seconds: 2, connections: 50, clients: 100, broadcasts: 10, openDeliveries: 50, fleetDrivers: 10_000, searches: 60 };

export interface BenchContext {
  cli: string;
  /** Temporary directory for SQLite files, logs and builds. */
  dir: string;
  db: Database;
  /** API + worker on the dev server configured as `npm start` does (SQLite file with WAL). */
  stack: Stack;
  sizes: Sizes;
  profile: string[];
  profileDir: string;
  log(line: string): void;
  /** Tracking codes of delivered deliveries, filled by B1. */
  trackingCodes: string[];
  /** Another area range for each run that places drivers. */
  nextAreaOffset(count: number): number;
}

export type Figure = (ctx: BenchContext) => Promise<FigureRow[]>;
