/**
 * A local OpenAI-compatible chat-completions server for the real groq-sdk to talk to
 * (POST {baseURL}/openai/v1/chat/completions). Each test scripts the replies it needs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenStub } from './stub-server.js';

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string };
  headers: Record<string, string | string[] | undefined>;
  /** Epoch ms. */
  receivedAt: number;
}

export type StubReply =
  /** A well-formed completion whose message content is `JSON.stringify(json)`. */
  | { json: unknown; usage?: { prompt_tokens: number; completion_tokens: number } }
  /** A completion whose content is this text verbatim (e.g. not JSON). */
  | { text: string }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Answers only after `delayMs` (longer than the client's timeout, to make one). */
  | { delayMs: number; then: StubReply };

export type StubScript = StubReply | ((request: ChatRequest) => StubReply);

export interface GroqStub {
  url: string;
  /** Every request received, in order. */
  requests: ChatRequest[];
  /** Queues replies, each used once, in order. */
  reply(...replies: StubScript[]): void;
  /** Used when the queue is empty; by default a 500 so an unscripted call shows up as a fallback. */
  otherwise(script: StubScript): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startGroqStub(): Promise<GroqStub> {
  const queue: StubScript[] = [];
  const requests: ChatRequest[] = [];
  const unscripted: StubScript = { status: 500, body: { error: { message: 'no scripted reply', type: 'internal_server_error' } } };
  let otherwise: StubScript = unscripted;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/openai/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: ChatRequest = { ...JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers, receivedAt: Date.now() };
    requests.push(request);
    const script = queue.shift() ?? otherwise;
    await send(res, typeof script === 'function' ? script(request) : script, request.model);
  }

  async function send(res: ServerResponse, reply: StubReply, model: string): Promise<void> {
    if ('delayMs' in reply) {
      await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      return send(res, reply.then, model);
    }
    if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}` } }));
      return;
    }
    const content = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
    const usage = ('json' in reply && reply.usage) || { prompt_tokens: 120, completion_tokens: 30 };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      }),
    );
  }

  const server = await listenStub(handle);
  return {
    url: server.url,
    requests,
    reply: (...replies) => queue.push(...replies),
    otherwise: (script) => {
      otherwise = script;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      otherwise = unscripted;
    },
    close: server.close,
  };
}

/** The data document of a request's user message (the prompts put every input there). */
export function userData(request: ChatRequest): any {
  const user = request.messages.find((m) => m.role === 'user');
  return JSON.parse(user?.content ?? 'null');
}
