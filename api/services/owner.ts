/** The owner of what a request creates or reads: the organisation it acts in, or else the person. */
import type { Owner } from '../../db/owner.js';
import type { AuthUser } from '../types.js';

export type { Owner };

export const ownerOf = (user: AuthUser): Owner => ({ userId: user.id, organizationId: user.organizationId ?? null });
