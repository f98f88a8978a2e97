/**
 * Who owns a row: an organisation, or a person outside any. Deliveries, webhooks, notifications and
 * imports follow this rule; saved places are meant to as well (an `organization_id` column beside the
 * user's, filtered with `ownerCondition`).
 */
export interface Owner {
  userId: string;
  /** null: the person's own, outside any organisation. */
  organizationId: string | null;
}

/** The SQL condition that the row under `alias` belongs to the owner; replacements from `ownerReplacements`. */
export function ownerCondition(owner: Owner, alias: string, userColumn = 'user_id'): string {
  return owner.organizationId
    ? `${alias}.organization_id = :ownerOrg`
    : `(${alias}.${userColumn} = :ownerUser AND ${alias}.organization_id IS NULL)`;
}

export const ownerReplacements = (owner: Owner) => ({ ownerUser: owner.userId, ownerOrg: owner.organizationId });
