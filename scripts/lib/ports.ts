import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where the kernel takes the local ports of outgoing connections (Linux default when unknown). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux: fall through
  }
  return [32768, 60999];
}

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port free right now on 127.0.0.1, chosen below the ephemeral range: a port from `listen(0)`
 * comes from that range, so an outgoing connection opened before the caller binds it (a worker
 * connecting to Postgres, say) can take it first.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const floor = 10_000;
  if (low > floor + 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await listenOnce(floor + Math.floor(Math.random() * (low - floor)));
      if (port) return port;
    }
  }
  const port = await listenOnce(0);
  if (!port) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}
