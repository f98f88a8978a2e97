/**
 * On Node 20 an enabled AsyncLocalStorage hooks every promise of the process, and Temporal's client
 * enables one for its calls' metadata: kept on, it taxes every request. Each call reads the store
 * synchronously as it starts and switches it on for itself, so switching it off between calls loses
 * nothing. That would not hold for call contexts set across awaits (`withDeadline`, `withAbortSignal`),
 * which the API never sets.
 */
import type { Connection } from '@temporalio/client';

export function keepPromiseHooksOff(connection: Pick<Connection, 'callContextStorage'>, everyMs = 1000): { stop(): void } {
  const timer = setInterval(() => connection.callContextStorage.disable(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
