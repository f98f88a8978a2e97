/** Turns a rejected or failed Workflow Update, or an unreachable Temporal, into the API's error for it. */
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { AppError, ConflictError, ForbiddenError, UnavailableError } from '../errors.js';

/** gRPC status codes the Temporal client surfaces. */
const GRPC = { notFound: 5, deadlineExceeded: 4, unavailable: 14 } as const;

/** The business failure behind an Update's failure: thrown by its validator, or by an activity it ran. */
function applicationFailureOf(err: WorkflowUpdateFailedError): ApplicationFailure | null {
  for (let cause: unknown = err.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure) return cause;
  }
  return null;
}

export function updateError(err: unknown, deliveryId?: string): Error {
  const failure = err instanceof WorkflowUpdateFailedError ? applicationFailureOf(err) : null;
  if (failure) {
    const { type, message } = failure;
    switch (type) {
      case 'INVALID_TRANSITION':
        return new ConflictError(message, 'INVALID_TRANSITION');
      case 'FORBIDDEN':
        return new ForbiddenError(message);
      case 'NOT_YOUR_DELIVERY':
        return new ForbiddenError(message, 'NOT_YOUR_DELIVERY');
      case 'DRIVER_NOT_FOUND':
        return new AppError(422, 'DRIVER_NOT_FOUND', message);
      case 'VALIDATION':
        return new AppError(400, 'VALIDATION_FAILED', message);
      case 'PROOF_REQUIRED':
      case 'DELIVERY_CODE_MISMATCH':
      case 'DELIVERY_CODE_LOCKED': {
        // What is missing, or how many tries are left, travel as the failure's details.
        const [details] = (failure.details ?? []) as Array<Record<string, unknown> | undefined>;
        const extensions: Record<string, unknown> = {};
        if (details && 'missing' in details) extensions.missing = details.missing;
        if (details && 'triesLeft' in details) extensions.triesLeft = details.triesLeft;
        return new AppError(422, type, message, undefined, undefined, extensions);
      }
      default:
        return new ConflictError(message, type ?? 'UPDATE_REJECTED');
    }
  }
  if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === GRPC.notFound) {
    // The read model has the delivery but its workflow has closed: nothing more can happen to it.
    return new ConflictError('this delivery is closed', 'INVALID_TRANSITION');
  }
  return temporalError(err, deliveryId);
}

/**
 * The delivery's workflow did not confirm the change within the API's deadline. The change is not lost:
 * the workflow may still apply it, and a retry with the same Idempotency-Key answers with its outcome.
 */
export class WorkflowPendingError extends AppError {
  constructor(deliveryId?: string) {
    const where = deliveryId ? `/api/v1/deliveries/${deliveryId}` : undefined;
    super(
      504,
      'WORKFLOW_PENDING',
      `the delivery did not confirm the change in time; it may still be applied. Retry with the same Idempotency-Key for the outcome${where ? `, or read ${where}` : ''}`,
      undefined,
      { 'Retry-After': '2', ...(where ? { Location: where } : {}) },
    );
  }
}

/** Unreachable Temporal becomes 503 and a workflow past the deadline 504, so clients retry; anything else stays an internal error. */
export function temporalError(err: unknown, deliveryId?: string): Error {
  const code = (err as { code?: number }).code;
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || code === GRPC.deadlineExceeded) return new WorkflowPendingError(deliveryId);
  if (code === GRPC.unavailable || (err as Error).name === 'ServiceError') {
    return new UnavailableError('the workflow service is unavailable; retry shortly', 'TEMPORAL_UNAVAILABLE');
  }
  return err as Error;
}
