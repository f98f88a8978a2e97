/** A minimal TCP load balancer: each connection goes to the first backend that accepts it. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface Balancer {
  url: string;
  close(): Promise<void>;
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

export async function startBalancer(backendPorts: number[]): Promise<Balancer> {
  const open = new Set<Socket>();
  const server: Server = createServer(async (client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    for (const port of backendPorts) {
      try {
        const upstream = await connect(port);
        open.add(upstream);
        upstream.on('close', () => {
          open.delete(upstream);
          client.destroy();
        });
        upstream.on('error', () => upstream.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        return;
      } catch {
        // that backend is down: try the next
      }
    }
    client.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
