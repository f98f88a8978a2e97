/**
 * A metro area's fleet, written straight into Postgres: `count` drivers spread over a square `spreadKm`
 * wide around a centre, one in 20 off duty and one in 97 disabled, capacities from 50 to 800 kg, a third of
 * them carrying one to three open deliveries and every one with three delivered ones behind them (the
 * history a load query must not wade through). Random but repeatable (`setseed`); every row is tagged so
 * `removeMetroFleet` takes it all away again.
 */
import type { Sequelize } from 'sequelize';
import type { LatLng } from '../../domain/geo.js';

export interface MetroFleet {
  tag: string;
  center: LatLng;
  spreadKm: number;
  count: number;
  customerId: string;
}

export async function seedMetroFleet(sequelize: Sequelize, fleet: MetroFleet): Promise<void> {
  const halfLat = fleet.spreadKm / 2 / 111.2;
  const halfLng = halfLat / Math.cos((fleet.center.lat * Math.PI) / 180);
  const replacements = { ...fleet, tagLike: `${fleet.tag}-%`, lat: fleet.center.lat, lng: fleet.center.lng, halfLat, halfLng };
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('SELECT setseed(0.26)', { transaction });
    await sequelize.query(
      `INSERT INTO users (id, email, name, role, password_hash, disabled_at)
       SELECT gen_random_uuid(), :tag || '-' || i || '@bench.example', 'Metro Driver ' || i, 'driver', '!', CASE WHEN i % 97 = 0 THEN now() END
         FROM generate_series(1, :count) i`,
      { replacements, transaction },
    );
    await sequelize.query(
      `INSERT INTO drivers (id, user_id, name, vehicle_type, capacity_kg, on_duty, lat, lng, location_at)
       SELECT gen_random_uuid(), u.id, u.name, 'van', (ARRAY[50, 100, 300, 800])[1 + n % 4], n % 20 <> 0,
              :lat + (random() * 2 - 1) * :halfLat, :lng + (random() * 2 - 1) * :halfLng, now()
         FROM (SELECT id, name, split_part(split_part(email, '@', 1), '-', -1)::int AS n FROM users WHERE email LIKE :tagLike) u`,
      { replacements, transaction },
    );
    await sequelize.query(
      `INSERT INTO deliveries (id, tracking_code, customer_id, status, seq, priority, pickup, dropoff, parcel, quote, driver_id, driver_name, workflow_id, created_at, updated_at)
       SELECT gen_random_uuid(), upper(substr(md5(random()::text), 1, 16)), :customerId, s.status, 5, 'standard',
              jsonb_build_object('address', 'Pickup', 'lat', d.lat, 'lng', d.lng), jsonb_build_object('address', 'Dropoff', 'lat', d.lat, 'lng', d.lng),
              jsonb_build_object('weightKg', 5 + floor(random() * 36)), '{}'::jsonb, d.id, d.name, :tag || '-' || s.k, now(), now()
         FROM drivers d
         JOIN users u ON u.id = d.user_id AND u.email LIKE :tagLike
        CROSS JOIN LATERAL (
              SELECT 'DELIVERED' AS status, k FROM generate_series(1, 3) k
              UNION ALL
              SELECT (ARRAY['ASSIGNED', 'IN_TRANSIT', 'AT_DROPOFF'])[1 + k % 3], 10 + k FROM generate_series(1, 1 + floor(random() * 3)::int) k
               WHERE random() < 1.0 / 3 AND d.id IS NOT NULL) s`,
      { replacements, transaction },
    );
  });
  await sequelize.query('ANALYZE users; ANALYZE drivers; ANALYZE deliveries');
}

export async function removeMetroFleet(sequelize: Sequelize, tag: string): Promise<void> {
  const replacements = { tagLike: `${tag}-%` };
  await sequelize.query(
    `DELETE FROM deliveries WHERE workflow_id LIKE :tagLike;
     DELETE FROM users WHERE email LIKE :tagLike`,
    { replacements },
  );
}
