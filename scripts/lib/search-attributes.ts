/** Registers the delivery search attributes in a namespace through the SDK, so no CLI is needed. */
import type { Connection, OperatorService } from '@temporalio/client';
import { searchAttributes } from '../../domain/search-attributes.js';

type AddRequest = Parameters<OperatorService['addSearchAttributes']>[0];

// temporal.api.enums.v1.IndexedValueType
const INDEXED_VALUE_TYPE = { KEYWORD: 2, BOOL: 5, DATETIME: 6 } as const;

/** Adds the missing ones and returns their names; an attribute of the wrong type is an error. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const existing: Record<string, number> = { ...(listed.systemAttributes ?? {}), ...(listed.customAttributes ?? {}) } as Record<string, number>;
  const missing: Record<string, number> = {};
  for (const { name, type } of Object.values(searchAttributes)) {
    const wanted = INDEXED_VALUE_TYPE[type];
    const found = existing[name];
    if (found === undefined) missing[name] = wanted;
    else if (found !== wanted) {
      throw new Error(`search attribute ${name} exists in namespace ${namespace} with another type (${found}); the workflows need ${type}`);
    }
  }
  const names = Object.keys(missing);
  if (names.length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing as AddRequest['searchAttributes'] });
  }
  return names;
}
