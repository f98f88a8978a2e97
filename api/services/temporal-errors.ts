/** Turns a rejected or failed Workflow Update into the API's error for it. */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { AppError, ConflictError, ForbiddenError, NotFoundError, UnavailableError } from '../errors.js';

export function updateError(err: unknown): Error {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const { type, message } = err.cause;
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
      default:
        return new ConflictError(message, type ?? 'UPDATE_REJECTED');
    }
  }
  if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) {
    // The read model has the delivery but its workflow has closed: nothing more can happen to it.
    return new ConflictError('this delivery is closed', 'INVALID_TRANSITION');
  }
  if ((err as { code?: number }).code === 14 || (err as Error).name === 'ServiceError') {
    return new UnavailableError('the workflow service is unavailable; retry shortly', 'TEMPORAL_UNAVAILABLE');
  }
  if (err instanceof NotFoundError) return err;
  return err as Error;
}
