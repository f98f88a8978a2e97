/** AI routes: free-text order intake and the dispatcher assistant, under a per-user hourly quota. */
import { z } from 'zod';
import { safeText } from '../../domain/text.js';
import { consume, type RateLimits } from '../rate-limits.js';
import { route, type Resource, type RouteContext, type SignIn } from '../route.js';
import type { AiService } from '../services/ai-service.js';

export const intakeBodySchema = z.strictObject({
  text: safeText(2000, 3),
  /** The sender's UTC offset: "5 pm" and "tomorrow" are read in it. */
  utcOffset: z
    .string()
    .regex(/^(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/, 'Z or an offset such as +02:00')
    .default('Z'),
});
export const assistantBodySchema = z.strictObject({ question: safeText(500, 2) });

export function aiRoutes(deps: { ai: AiService; limits: RateLimits; auth: SignIn }): Resource {
  // Model calls cost money: every AI request spends from the user's hourly quota, answered by a model or
  // not. A refused body spends nothing.
  const spendQuota = (ctx: RouteContext) => consume(deps.limits.ai, ctx.state.user!.id, 'AI request quota used up for this hour');
  return {
    prefix: '/ai',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'post', path: '/ai/intake', summary: 'Free text → a draft delivery request and the fields still missing (model or rule-based)',
        roles: ['customer', 'dispatcher'], body: intakeBodySchema, ok: 200,
        handler: async (ctx) => {
          await spendQuota(ctx);
          return deps.ai.intake(ctx.state.user!, ctx.state.body.text, ctx.state.body.utcOffset);
        },
      }),
      route({
        method: 'post', path: '/ai/assistant', summary: 'A question about live operations, answered from a snapshot of them',
        roles: ['dispatcher', 'admin'], body: assistantBodySchema, ok: 200,
        handler: async (ctx) => {
          await spendQuota(ctx);
          return deps.ai.assist(ctx.state.user!, ctx.state.body.question);
        },
      }),
    ],
  };
}
