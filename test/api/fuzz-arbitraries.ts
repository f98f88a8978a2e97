/** fast-check arbitraries for the API fuzz: valid bodies per route, and mutations of them. */
import fc from 'fast-check';

const lat = fc.double({ min: -90, max: 90, noNaN: true });
const lng = fc.double({ min: -180, max: 180, noNaN: true });
const text = (min: number, max: number) => fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }).filter((s) => s.trim().length >= min);
const email = fc.stringMatching(/^[a-z0-9]{1,12}$/).map((local) => `fuzz-${local}@example.com`);
const password = fc.tuple(fc.uuid(), fc.string({ maxLength: 40 })).map(([u, s]) => `${u}${s}`.slice(0, 128));
/** Times around now, mostly inside the window a device may report (a minute ahead, a day behind). */
const recentIso = fc.integer({ min: -26 * 3600_000, max: 5 * 60_000 }).map((ms) => new Date(Date.now() + ms).toISOString());

const stop = fc.record(
  {
    address: text(3, 60),
    lat,
    lng,
    contactName: text(1, 40),
    contactPhone: fc.stringMatching(/^\+?[0-9 ()-]{5,25}$/),
  },
  { requiredKeys: ['address', 'lat', 'lng'] },
);

/** A coordinate at most half a degree from `from`, within ±limit. */
const near = (from: number, noise: number, limit: number) => Math.max(-limit, Math.min(limit, from + ((noise % 1) / 2)));

const png = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]).toString('base64')}`;
const notAnImage = `data:image/jpeg;base64,${Buffer.from('not a jpeg at all').toString('base64')}`;

const ping = fc.record(
  { lat, lng, heading: fc.double({ min: 0, max: 360, noNaN: true }), speedKph: fc.double({ min: 0, max: 300, noNaN: true }), recordedAt: recentIso },
  { requiredKeys: ['lat', 'lng', 'recordedAt'] },
);

export const validBodies = {
  register: fc.record({ email, password, name: text(1, 60) }),
  login: fc.record({ email: fc.oneof(email, fc.constant('customer@example.com')), password }),
  refresh: fc.record({ refreshToken: fc.stringMatching(/^rt_[A-Za-z0-9_-]{43}$/) }),
  // Drop-off within a courier run of the pickup (farther is refused with 422 DISTANCE_TOO_LONG).
  delivery: fc.record(
    {
      pickup: stop,
      dropoff: stop,
      parcel: fc.record(
        {
          weightKg: fc.double({ min: 0.01, max: 1000, noNaN: true }),
          lengthCm: fc.double({ min: 0.1, max: 400, noNaN: true }),
          widthCm: fc.double({ min: 0.1, max: 400, noNaN: true }),
          heightCm: fc.double({ min: 0.1, max: 400, noNaN: true }),
          description: text(0, 80),
        },
        { requiredKeys: ['weightKg'] },
      ),
      priority: fc.constantFrom('standard', 'express', 'urgent'),
      notes: text(0, 200),
      autoAccept: fc.constant(false),
    },
    { requiredKeys: ['pickup', 'dropoff', 'parcel'] },
  ).map((d) => ({ ...d, dropoff: { ...d.dropoff, lat: near(d.pickup.lat, d.dropoff.lat, 90), lng: near(d.pickup.lng, d.dropoff.lng, 180) } })),
  sampleDelivery: () => ({
    pickup: { address: 'Fuzz Street 1', lat: 10, lng: 10 },
    dropoff: { address: 'Fuzz Street 9', lat: 10.01, lng: 10.01 },
    parcel: { weightKg: 2 },
    priority: 'standard',
  }),
  listQuery: fc.oneof(
    // Only the parameters the route knows, with values from plausible to absurd.
    fc.record(
      {
        status: fc.constantFrom('QUOTED', 'QUOTED,DISPATCHING', 'NOPE', 'quoted', ',', ''),
        driverId: fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })),
        customerId: fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })),
        q: fc.string({ maxLength: 120 }),
        limit: fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), fc.constantFrom('1e2', '0x10', ' 5', 'NaN', '')),
        cursor: fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.string({ maxLength: 80 }).map((v) => Buffer.from(v).toString('base64url')),
          fc.tuple(fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })))
            .map(([d, id]) => Buffer.from(`${d.toISOString()}|${id}`).toString('base64url')),
        ),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 30 }), { maxKeys: 4 }),
  ),
  cancel: fc.record({ reason: text(1, 80) }),
  assign: (driverId: () => string) => fc.record({ driverId: fc.oneof(fc.uuid(), fc.constant(null).map(() => driverId())) }),
  milestone: fc.record(
    {
      type: fc.constantFrom('accept_offer', 'decline_offer', 'arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered', 'attempt_failed', 'returned'),
      at: recentIso,
      location: fc.record({ lat, lng }),
      proof: fc.record(
        { recipientName: text(1, 40), signature: fc.constantFrom(png, notAnImage), photo: fc.constantFrom(png, notAnImage), otp: fc.stringMatching(/^[0-9]{4,6}$/) },
        { requiredKeys: [] },
      ),
      reason: text(1, 80),
    },
    { requiredKeys: ['type'] },
  ),
  driver: fc.record({
    name: text(1, 40),
    email,
    password,
    vehicle: fc.record({ type: fc.constantFrom('bike', 'cargo_bike', 'scooter', 'car', 'van', 'truck'), capacityKg: fc.double({ min: 0.1, max: 5000, noNaN: true }) }),
  }),
  duty: fc.record({ onDuty: fc.boolean() }),
  location: fc.oneof(ping, fc.array(ping, { minLength: 1, maxLength: 20 })),
};

/** Strings a hostile or broken client sends: control characters, lone surrogates, 10k characters, RTL marks, emoji. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\u0007', '\u000B', '\r', '\u001B', '\u007F', '\u0085', '\u009F', '\uD800', '\uDBFF', '\uDC00', 'a', ' '), minLength: 1, maxLength: 30 }),
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('\u0000', '\uD83D', '\uDE9A', '\u0008'), fc.string({ maxLength: 20 })).map(([a, bad, b]) => `ok ${a}${bad}${b}`),
  fc.constant('x'.repeat(10_000)),
  fc.string({ unit: fc.constantFrom('\u200F', '\u200E', '\u202E', '\u2066', '📦', '🚚', 'ש', 'ل', 'a'), minLength: 3, maxLength: 30 }),
);

type Path = Array<string | number>;

/** Every node of a JSON value, as the path to it (the root is []). */
function nodes(value: unknown, path: Path = []): Path[] {
  const out: Path[] = [path];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...nodes(v, [...path, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...nodes(v, [...path, k]));
  return out;
}

function at(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], root);
}

type Mutation = 'drop' | 'add' | 'replace' | 'retype';

function mutate(body: unknown, mutation: Mutation, pick: number, value: unknown, key: string): unknown {
  const copy = structuredClone(body);
  const all = nodes(copy);
  const path = all[pick % all.length]!;
  if (path.length === 0) return mutation === 'add' && copy && typeof copy === 'object' ? { ...copy, [key]: value } : value;
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (mutation === 'drop') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (mutation === 'add') {
    const target = at(copy, path);
    if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[key] = value;
    else parent[last] = value;
  } else if (mutation === 'retype') {
    const current = parent[last];
    parent[last] = typeof current === 'string' ? Number(current) || [current] : typeof current === 'number' ? String(current) : current === null ? {} : null;
  } else {
    parent[last] = value;
  }
  return copy;
}

/** A valid body with one of its strings (or, for a body without strings, a new field) replaced by hostile text. */
export function poisoned(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), hostileText).map(([body, pick, text]) => {
    const copy = structuredClone(body);
    const strings = nodes(copy).filter((p) => p.length > 0 && typeof at(copy, p) === 'string');
    if (strings.length === 0) return copy && typeof copy === 'object' && !Array.isArray(copy) ? { ...copy, [text.slice(0, 12)]: text } : text;
    const path = strings[pick % strings.length]!;
    (at(copy, path.slice(0, -1)) as Record<string | number, unknown>)[path[path.length - 1]!] = text;
    return copy;
  });
}

/** A valid body with one thing wrong with it (or, now and then, nothing: a mutation may keep it valid). */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      valid,
      fc.constantFrom<Mutation>('drop', 'add', 'replace', 'retype'),
      fc.nat(),
      fc.jsonValue({ maxDepth: 2 }),
      fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('status', 'driverId', 'price', 'role', 'customerId', '__proto__', 'constructor')),
    )
    .map(([body, mutation, pick, value, key]) => mutate(body, mutation, pick, value, key));
}
