/** Saved places, recent addresses and sample places. The owner is part of every owner-facing query. */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SAMPLE_PLACES, type CreatePlaceBody, type RecentAddress, type SavedPlace } from '../domain/places.js';

/** Whose places a query may touch; an organisation becomes a second case here. */
export interface PlaceOwner {
  userId: string;
}

/** A customer's address book is meant to be short; this caps what one account can store. */
export const MAX_SAVED_PLACES = 200;
const RECENT_LIMIT = 10;

const columns = `id, label, address, lat, lng, contact_name AS "contactName", contact_phone AS "contactPhone", created_at AS "createdAt"`;
type Raw = Omit<SavedPlace, 'createdAt'> & { createdAt: Date };
const view = (r: Raw): SavedPlace => ({ ...r, createdAt: new Date(r.createdAt).toISOString() });

export function createPlaceStore(sequelize: Sequelize) {
  return {
    async list(owner: PlaceOwner): Promise<SavedPlace[]> {
      const rows = await sequelize.query<Raw>(
        `SELECT ${columns} FROM places WHERE kind = 'saved' AND owner_user_id = :user ORDER BY created_at DESC, id LIMIT :max`,
        { type: QueryTypes.SELECT, replacements: { user: owner.userId, max: MAX_SAVED_PLACES } },
      );
      return rows.map(view);
    },

    /** Null when the address book is full. */
    async add(owner: PlaceOwner, body: CreatePlaceBody): Promise<SavedPlace | null> {
      const rows = await sequelize.query<Raw>(
        `INSERT INTO places (id, kind, owner_user_id, label, address, lat, lng, contact_name, contact_phone)
         SELECT :id, 'saved', :user, :label, :address, :lat, :lng, :contactName, :contactPhone
          WHERE (SELECT COUNT(*) FROM places WHERE owner_user_id = :user) < :max
         RETURNING ${columns}`,
        {
          type: QueryTypes.SELECT,
          replacements: {
            id: randomUUID(), user: owner.userId, label: body.label, address: body.address, lat: body.lat, lng: body.lng,
            contactName: body.contactName ?? null, contactPhone: body.contactPhone ?? null, max: MAX_SAVED_PLACES,
          },
        },
      );
      return rows[0] ? view(rows[0]) : null;
    },

    async remove(owner: PlaceOwner, id: string): Promise<boolean> {
      const rows = await sequelize.query(`DELETE FROM places WHERE id = :id AND kind = 'saved' AND owner_user_id = :user RETURNING id`, {
        type: QueryTypes.SELECT,
        replacements: { id, user: owner.userId },
      });
      return rows.length > 0;
    },

    /** Distinct stops of the user's latest deliveries, newest first. */
    async recent(owner: PlaceOwner): Promise<RecentAddress[]> {
      const rows = await sequelize.query<Omit<RecentAddress, 'usedAt'> & { usedAt: Date }>(
        `SELECT DISTINCT ON (lower(stop->>'address')) stop->>'address' AS address, (stop->>'lat')::float AS lat, (stop->>'lng')::float AS lng,
                stop->>'contactName' AS "contactName", stop->>'contactPhone' AS "contactPhone", created_at AS "usedAt"
           FROM (SELECT d.created_at, s.stop
                   FROM (SELECT * FROM deliveries WHERE customer_id = :user ORDER BY created_at DESC LIMIT 50) d
                   CROSS JOIN LATERAL (VALUES (d.dropoff), (d.pickup)) AS s(stop)) recent
          ORDER BY lower(stop->>'address'), created_at DESC`,
        { type: QueryTypes.SELECT, replacements: { user: owner.userId } },
      );
      return rows
        .map((r) => ({ ...r, usedAt: new Date(r.usedAt).toISOString() }))
        .sort((a, b) => b.usedAt.localeCompare(a.usedAt))
        .slice(0, RECENT_LIMIT);
    },

    /** Every stop of the user's latest deliveries with its contact, newest first (an address may repeat). */
    async recentStops(owner: PlaceOwner): Promise<Array<{ address: string; lat: number; lng: number; contactName: string | null }>> {
      return sequelize.query(
        `SELECT stop->>'address' AS address, (stop->>'lat')::float AS lat, (stop->>'lng')::float AS lng, stop->>'contactName' AS "contactName"
           FROM (SELECT d.created_at, s.stop
                   FROM (SELECT * FROM deliveries WHERE customer_id = :user ORDER BY created_at DESC LIMIT 50) d
                   CROSS JOIN LATERAL (VALUES (d.dropoff), (d.pickup)) AS s(stop)) recent
          ORDER BY created_at DESC`,
        { type: QueryTypes.SELECT, replacements: { user: owner.userId } },
      );
    },

    async samples(): Promise<Array<Omit<SavedPlace, 'id' | 'createdAt'>>> {
      return sequelize.query(`SELECT label, address, lat, lng, contact_name AS "contactName", contact_phone AS "contactPhone" FROM places WHERE kind = 'sample' ORDER BY label`, {
        type: QueryTypes.SELECT,
      });
    },
  };
}
export type PlaceStore = ReturnType<typeof createPlaceStore>;

/** The demo city's sample places; adding one that exists changes nothing. */
export async function seedSamplePlaces(sequelize: Sequelize): Promise<void> {
  for (const place of SAMPLE_PLACES) {
    await sequelize.query(
      `INSERT INTO places (id, kind, label, address, lat, lng) VALUES (:id, 'sample', :label, :address, :lat, :lng)
       ON CONFLICT (label) WHERE kind = 'sample' DO NOTHING`,
      { replacements: { id: randomUUID(), ...place } },
    );
  }
}
