/** A webhook receiver for tests: verifies Standard Webhooks signatures on its own and answers as told. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Received {
  id: string;
  timestamp: string;
  body: string;
  json: any;
  verified: boolean;
  at: number;
}

/** What to answer: a status (and body), or `hold` to keep the request open until the receiver closes. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hold';

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  secret?: string;
  answer: (request: Received, index: number) => Answer;
  ids(): string[];
  /** Answers every request held so far. */
  release(status?: number): void;
  close(): Promise<void>;
}

/** Independent of the code under test: the spec's HMAC-SHA256 over `id.timestamp.body`, key = base64 after whsec_. */
function verify(secret: string | undefined, req: IncomingMessage, body: string): boolean {
  const id = String(req.headers['webhook-id'] ?? '');
  const ts = String(req.headers['webhook-timestamp'] ?? '');
  const sig = String(req.headers['webhook-signature'] ?? '');
  if (!secret || !id || !/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${id}.${ts}.${body}`).digest();
  return sig.split(' ').some((part) => {
    const [v, mac] = part.split(',');
    const given = Buffer.from(mac ?? '', 'base64');
    return v === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export async function startReceiver(answer: Receiver['answer'] = () => ({ status: 200 }), host = '127.0.0.1'): Promise<Receiver> {
  const held: ServerResponse[] = [];
  const receiver: Receiver = {
    url: '',
    port: 0,
    requests: [],
    answer,
    ids: () => receiver.requests.map((r) => r.id),
    release: (status = 200) => {
      for (const res of held.splice(0)) if (!res.destroyed) res.writeHead(status).end('ok');
    },
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        // kept as text
      }
      const request: Received = {
        id: String(req.headers['webhook-id'] ?? ''),
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        body,
        json,
        verified: verify(receiver.secret, req, body),
        at: Date.now(),
      };
      receiver.requests.push(request);
      const reply = receiver.answer(request, receiver.requests.length - 1);
      if (reply === 'hold') {
        held.push(res);
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers }).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  receiver.port = typeof address === 'object' && address ? address.port : 0;
  receiver.url = `http://${host}:${receiver.port}/hooks`;
  return receiver;
}

