/** Socket.IO clients for the benchmarks: one connection each (no multiplexing), WebSocket only. */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../domain/events.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connectSocket(url: string, auth: Record<string, unknown>, timeoutMs = 20_000): Promise<ClientSocket> {
  // rejectUnauthorized: the cluster benchmark reaches nginx with its self-signed certificate.
  const socket: ClientSocket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: timeoutMs, rejectUnauthorized: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(new Error(`socket to ${url} refused: ${err.message}`));
    });
  });
}

/** Connects `count` sockets, `parallel` at a time (a thousand handshakes at once would only measure a queue). */
export async function connectMany(count: number, parallel: number, open: () => Promise<ClientSocket>): Promise<ClientSocket[]> {
  const sockets: ClientSocket[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next += 1;
        sockets.push(await open());
      }
    }),
  );
  return sockets;
}

/** Rooms are joined just after the handshake; a short pause lets that land before anything is measured. */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
