import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { Actor, Proof, Quote, TimeWindow } from '../domain/delivery.js';
import type { Parcel, Stop } from '../domain/schemas.js';
import type { DeliveryStatus, Role } from '../domain/status.js';
import type { Priority } from '../domain/pricing.js';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: string;
  declare email: string;
  declare name: string;
  declare role: Role;
  declare passwordHash: string;
  declare disabledAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Driver extends Model<InferAttributes<Driver>, InferCreationAttributes<Driver>> {
  declare id: string;
  declare userId: ForeignKey<User['id']>;
  declare name: string;
  declare vehicleType: string;
  declare capacityKg: number;
  declare onDuty: CreationOptional<boolean>;
  declare lat: CreationOptional<number | null>;
  declare lng: CreationOptional<number | null>;
  declare heading: CreationOptional<number | null>;
  declare locationAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class DeliveryRow extends Model<InferAttributes<DeliveryRow>, InferCreationAttributes<DeliveryRow>> {
  declare id: string;
  declare trackingCode: string;
  declare customerId: string;
  declare organizationId: string | null;
  declare clientReference: string | null;
  declare status: DeliveryStatus;
  declare seq: number;
  declare delayed: boolean;
  declare priority: Priority;
  declare pickup: Stop;
  declare dropoff: Stop;
  declare parcel: Parcel;
  declare notes: string | null;
  declare quote: Quote;
  declare driverId: string | null;
  declare driverName: string | null;
  declare offeredDriverId: string | null;
  declare offerExpiresAt: Date | null;
  declare eta: Date | null;
  declare promisedBy: Date | null;
  declare attempts: number;
  declare proof: Proof | null;
  declare cancellation: { by: string; reason: string } | null;
  declare pickupWindow: TimeWindow | null;
  declare dropoffWindow: TimeWindow | null;
  declare dispatchAt: Date | null;
  declare codeRequired: boolean;
  declare leaveAtDoor: boolean;
  declare workflowId: string;
  declare createdAt: Date;
  declare updatedAt: Date;
}

export class DeliveryEventRow extends Model<InferAttributes<DeliveryEventRow>, InferCreationAttributes<DeliveryEventRow>> {
  declare id: CreationOptional<number>;
  declare deliveryId: string;
  declare seq: number;
  declare type: string;
  declare at: Date;
  declare actor: Actor;
  declare data: Record<string, unknown>;
}

export class RefreshToken extends Model<InferAttributes<RefreshToken>, InferCreationAttributes<RefreshToken>> {
  declare id: string;
  declare userId: string;
  declare familyId: string;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare revokedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

// Factories, not shared objects: Sequelize writes into each attribute definition it is given.
const uuid = () => ({ type: DataTypes.UUID, primaryKey: true });
const ts = () => ({ type: DataTypes.DATE });

export function initModels(sequelize: Sequelize) {
  User.init(
    {
      id: uuid(),
      email: { type: DataTypes.TEXT, allowNull: false, unique: true },
      name: { type: DataTypes.TEXT, allowNull: false },
      role: { type: DataTypes.TEXT, allowNull: false },
      passwordHash: { type: DataTypes.TEXT, allowNull: false },
      disabledAt: ts(),
      createdAt: ts(),
      updatedAt: ts(),
    },
    { sequelize, tableName: 'users' },
  );
  Driver.init(
    {
      id: uuid(),
      name: { type: DataTypes.TEXT, allowNull: false },
      vehicleType: { type: DataTypes.TEXT, allowNull: false },
      capacityKg: { type: DataTypes.DOUBLE, allowNull: false },
      onDuty: { type: DataTypes.BOOLEAN, defaultValue: false },
      lat: DataTypes.DOUBLE,
      lng: DataTypes.DOUBLE,
      heading: DataTypes.DOUBLE,
      locationAt: ts(),
      createdAt: ts(),
      updatedAt: ts(),
    },
    { sequelize, tableName: 'drivers' },
  );
  DeliveryRow.init(
    {
      id: uuid(),
      trackingCode: { type: DataTypes.TEXT, allowNull: false, unique: true },
      customerId: { type: DataTypes.UUID, allowNull: false },
      organizationId: DataTypes.UUID,
      clientReference: DataTypes.TEXT,
      status: { type: DataTypes.TEXT, allowNull: false },
      seq: { type: DataTypes.INTEGER, allowNull: false },
      delayed: { type: DataTypes.BOOLEAN, allowNull: false },
      priority: { type: DataTypes.TEXT, allowNull: false },
      pickup: { type: DataTypes.JSONB, allowNull: false },
      dropoff: { type: DataTypes.JSONB, allowNull: false },
      parcel: { type: DataTypes.JSONB, allowNull: false },
      notes: DataTypes.TEXT,
      quote: { type: DataTypes.JSONB, allowNull: false },
      driverId: DataTypes.UUID,
      driverName: DataTypes.TEXT,
      offeredDriverId: DataTypes.UUID,
      offerExpiresAt: ts(),
      eta: ts(),
      promisedBy: ts(),
      attempts: { type: DataTypes.INTEGER, allowNull: false },
      proof: DataTypes.JSONB,
      cancellation: DataTypes.JSONB,
      pickupWindow: DataTypes.JSONB,
      dropoffWindow: DataTypes.JSONB,
      dispatchAt: ts(),
      codeRequired: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      leaveAtDoor: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      workflowId: { type: DataTypes.TEXT, allowNull: false },
      createdAt: ts(),
      updatedAt: ts(),
    },
    { sequelize, tableName: 'deliveries', timestamps: false },
  );
  DeliveryEventRow.init(
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      deliveryId: { type: DataTypes.UUID, allowNull: false },
      seq: { type: DataTypes.INTEGER, allowNull: false },
      type: { type: DataTypes.TEXT, allowNull: false },
      at: { type: DataTypes.DATE, allowNull: false },
      actor: { type: DataTypes.JSONB, allowNull: false },
      data: { type: DataTypes.JSONB, allowNull: false },
    },
    { sequelize, tableName: 'delivery_events', timestamps: false },
  );
  RefreshToken.init(
    {
      id: uuid(),
      userId: { type: DataTypes.UUID, allowNull: false },
      familyId: { type: DataTypes.UUID, allowNull: false },
      tokenHash: { type: DataTypes.TEXT, allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      usedAt: ts(),
      revokedAt: ts(),
      createdAt: ts(),
    },
    { sequelize, tableName: 'refresh_tokens', updatedAt: false },
  );

  User.hasOne(Driver, { foreignKey: 'userId', as: 'driver' });
  Driver.belongsTo(User, { foreignKey: 'userId', as: 'user' });
  DeliveryRow.hasMany(DeliveryEventRow, { foreignKey: 'deliveryId', as: 'events' });
  return { User, Driver, DeliveryRow, DeliveryEventRow, RefreshToken };
}
