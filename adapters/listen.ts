/** Binds a process's HTTP server, turning a taken port into an error that says which setting to change. */
import type { Server } from 'node:http';

/** Resolves with the port bound (the one chosen when `port` is 0). */
export async function listenOn(server: Server, port: number, name: string, remedy: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`${name} port ${port} is in use: ${remedy}`) : err),
    );
    server.listen(port, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
