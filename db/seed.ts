/** Demo accounts and drivers around one city, created once (never in production). */
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { hashPassword } from '../adapters/passwords.js';
import { Driver, User } from './models.js';
import { seedSamplePlaces } from './places.js';

export const DEMO_CITY = { name: 'Berlin', lat: 52.52, lng: 13.405 };

const DRIVERS = [
  { n: 1, name: 'Ada Driver', vehicle: 'cargo_bike', capacityKg: 80, dLat: 0.012, dLng: -0.02 },
  { n: 2, name: 'Ben Driver', vehicle: 'van', capacityKg: 800, dLat: -0.015, dLng: 0.018 },
  { n: 3, name: 'Cleo Driver', vehicle: 'car', capacityKg: 250, dLat: 0.02, dLng: 0.025 },
  { n: 4, name: 'Dan Driver', vehicle: 'scooter', capacityKg: 40, dLat: -0.008, dLng: -0.03 },
  { n: 5, name: 'Eve Driver', vehicle: 'van', capacityKg: 1000, dLat: 0.004, dLng: 0.006 },
];

export interface DemoAccounts {
  created: boolean;
  logins: Array<{ email: string; role: string }>;
}

export async function seedDemoData(sequelize: Sequelize, password: string): Promise<DemoAccounts> {
  const logins = [
    { email: 'admin@example.com', role: 'admin' as const, name: 'Avery Admin' },
    { email: 'dispatcher@example.com', role: 'dispatcher' as const, name: 'Dana Dispatcher' },
    { email: 'customer@example.com', role: 'customer' as const, name: 'Casey Customer' },
    ...DRIVERS.map((d) => ({ email: `driver${d.n}@example.com`, role: 'driver' as const, name: d.name })),
  ];
  const summary = logins.map(({ email, role }) => ({ email, role }));
  // Outside the first-run guard: a database seeded before sample places existed gets them too.
  await seedSamplePlaces(sequelize);
  if (await User.findOne({ where: { email: 'admin@example.com' } })) return { created: false, logins: summary };
  const passwordHash = await hashPassword(password);
  await sequelize.transaction(async (transaction) => {
    for (const login of logins) {
      const user = await User.create({ id: randomUUID(), email: login.email, name: login.name, role: login.role, passwordHash }, { transaction });
      const driver = DRIVERS.find((d) => `driver${d.n}@example.com` === login.email);
      if (driver) {
        await Driver.create(
          {
            id: randomUUID(),
            userId: user.id,
            name: driver.name,
            vehicleType: driver.vehicle,
            capacityKg: driver.capacityKg,
            onDuty: true,
            lat: DEMO_CITY.lat + driver.dLat,
            lng: DEMO_CITY.lng + driver.dLng,
            locationAt: new Date(),
          },
          { transaction },
        );
      }
    }
  });
  return { created: true, logins: summary };
}
