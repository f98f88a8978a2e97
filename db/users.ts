/** Accounts: people who sign in, with the driver profile a driver's account carries. */
import { randomUUID } from 'node:crypto';
import { UniqueConstraintError, type Sequelize } from 'sequelize';
import type { Role } from '../domain/status.js';
import { Driver, RefreshToken, User } from './models.js';

export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  disabledAt: Date | null;
  /** The driver profile of a driver's account. */
  driverId: string | null;
}

export interface NewAccount {
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
}

export interface NewDriverProfile {
  name: string;
  vehicleType: string;
  capacityKg: number;
}

/** The address already has an account (checked first, and by the unique index when two sign-ups race). */
export class EmailTakenError extends Error {
  constructor() {
    super('an account with this e-mail exists');
  }
}

const account = (user: User, driverId: string | null): Account => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  passwordHash: user.passwordHash,
  disabledAt: user.disabledAt ?? null,
  driverId,
});

export function createAccountStore(sequelize: Sequelize) {
  const withDriver = async (user: User | null): Promise<Account | null> => {
    if (!user) return null;
    const driver = user.role === 'driver' ? await Driver.findOne({ where: { userId: user.id }, attributes: ['id'] }) : null;
    return account(user, driver?.id ?? null);
  };

  return {
    /** An account that may sign in (not disabled), by e-mail or id. */
    async findActive(by: { email: string } | { id: string }): Promise<Account | null> {
      return withDriver(await User.findOne({ where: { ...by, disabledAt: null } }));
    },

    /** The account, and the driver profile with it when one is given: both or neither. */
    async create(input: NewAccount, driver?: NewDriverProfile): Promise<Account> {
      try {
        return await sequelize.transaction(async (transaction) => {
          if (await User.findOne({ where: { email: input.email }, transaction, attributes: ['id'] })) throw new EmailTakenError();
          const user = await User.create({ id: randomUUID(), ...input }, { transaction });
          if (!driver) return account(user, null);
          const profile = await Driver.create({ id: randomUUID(), userId: user.id, ...driver }, { transaction });
          return account(user, profile.id);
        });
      } catch (err) {
        // Two sign-ups of one address racing past the check.
        if (err instanceof UniqueConstraintError) throw new EmailTakenError();
        throw err;
      }
    },

    /** Marks the account disabled, revokes every refresh token it holds and takes its driver off duty, at once. */
    async disable(userId: string): Promise<Account | null> {
      const user = await sequelize.transaction(async (transaction) => {
        const found = await User.findByPk(userId, { transaction, lock: transaction.LOCK.UPDATE });
        if (!found) return null;
        found.disabledAt ??= new Date();
        await found.save({ transaction });
        await RefreshToken.update({ revokedAt: new Date() }, { where: { userId, revokedAt: null }, transaction });
        await Driver.update({ onDuty: false }, { where: { userId }, transaction });
        return found;
      });
      return withDriver(user);
    },
  };
}
export type AccountStore = ReturnType<typeof createAccountStore>;
