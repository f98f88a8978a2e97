/** The HTTP plumbing the local provider stubs (geo-stubs.ts, groq-stub.ts) share. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StubServer {
  url: string;
  /** Ends kept-alive connections too, so a client's pool cannot hold the close up. */
  close(): Promise<void>;
}

/** Listens on a free loopback port; a handler that throws answers 500 unless it already answered. */
export async function listenStub(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<StubServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
