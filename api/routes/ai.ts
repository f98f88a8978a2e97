/** AI routes: free-text order intake and the dispatcher assistant, under a per-user hourly quota. */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { safeText } from '../../domain/text.js';
import { requireRole } from '../auth/middleware.js';
import { registerOperations } from '../openapi.js';
import { consume, type RateLimits } from '../rate-limits.js';
import type { AiService } from '../services/ai-service.js';
import type { AppState } from '../types.js';
import { validate } from '../validate.js';

export const intakeBodySchema = z.strictObject({
  text: safeText(2000, 3),
  /** The sender's UTC offset: "5 pm" and "tomorrow" are read in it. */
  utcOffset: z
    .string()
    .regex(/^(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/, 'Z or an offset such as +02:00')
    .default('Z'),
});
export const assistantBodySchema = z.strictObject({ question: safeText(500, 2) });

registerOperations([
  {
    method: 'post',
    path: '/ai/intake',
    summary: 'Free text → a draft delivery request and the fields still missing (model or rule-based)',
    roles: 'customer, dispatcher',
    body: intakeBodySchema,
    ok: 200,
  },
  {
    method: 'post',
    path: '/ai/assistant',
    summary: 'A question about live operations, answered from a snapshot of them',
    roles: 'dispatcher, admin',
    body: assistantBodySchema,
    ok: 200,
  },
]);

export function aiRoutes(deps: { ai: AiService; limits: RateLimits; auth: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/ai' });
  router.use(deps.auth);

  // Model calls cost money: every AI request spends from the user's hourly quota, answered by a model or not.
  const quota: Middleware<AppState> = async (ctx, next) => {
    await consume(deps.limits.ai, ctx.state.user!.id, 'AI request quota used up for this hour');
    await next();
  };

  router.post('/intake', requireRole('customer', 'dispatcher'), validate('body', intakeBodySchema), quota, async (ctx) => {
    const body = ctx.state.body as z.infer<typeof intakeBodySchema>;
    ctx.body = await deps.ai.intake(ctx.state.user!, body.text, body.utcOffset);
  });

  router.post('/assistant', requireRole('dispatcher', 'admin'), validate('body', assistantBodySchema), quota, async (ctx) => {
    const body = ctx.state.body as z.infer<typeof assistantBodySchema>;
    ctx.body = await deps.ai.assist(ctx.state.user!, body.question);
  });

  return router;
}
