import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { REQUIRED_DRAFT_FIELDS, draftDeliverySchema, parseDeliveryRequest, type DraftDelivery, type KnownAddress } from './intake.js';

// A Thursday morning.
const NOW = '2025-03-13T09:00:00Z';

const KNOWN: KnownAddress[] = [
  { label: 'the bakery', address: 'Bakery Sonnenschein, 5th Avenue 12', lat: 52.53, lng: 13.41 },
  { label: 'home', address: 'Lindenstraße 8, 10969 Berlin', lat: 52.5, lng: 13.39 },
  { label: 'Office', address: 'Torstraße 140, 10119 Berlin', lat: 52.529, lng: 13.401 },
  { label: 'warehouse', address: 'Hafenstraße 2, 13599 Berlin', lat: 52.54, lng: 13.23 },
  { label: 'the roastery', address: 'Röstwerk, Weserstr 50', lat: 52.48, lng: 13.44 },
];
const [bakery, home, office, warehouse, roastery] = KNOWN.map(({ address, lat, lng }) => ({ address, lat, lng }));

const parse = (text: string, now = NOW) => parseDeliveryRequest(text, { now, knownAddresses: KNOWN });

interface Case {
  text: string;
  draft: DraftDelivery;
  missing?: string[];
}

const CASES: Case[] = [
  {
    text: '3 boxes, 12 kg total, from the bakery on 5th to Maria at Elm St 14, before 5 pm tomorrow, urgent',
    draft: {
      pickup: bakery,
      dropoff: { address: 'Elm St 14', contactName: 'Maria' },
      parcel: { weightKg: 12, count: 3 },
      priority: 'urgent',
      deadline: '2025-03-14T17:00:00.000Z',
    },
    missing: ['dropoff.lat', 'dropoff.lng'],
  },
  {
    text: 'Pick up at Hauptstraße 5, deliver to Lindenallee 20, 2 boxes of 4 kg each',
    draft: { pickup: { address: 'Hauptstraße 5' }, dropoff: { address: 'Lindenallee 20' }, parcel: { weightKg: 8, count: 2 }, priority: 'standard' },
  },
  {
    text: 'Send a 500 g envelope from Alexanderplatz 1 to Friedrichstraße 100 by 17:30',
    draft: {
      pickup: { address: 'Alexanderplatz 1' },
      dropoff: { address: 'Friedrichstraße 100' },
      parcel: { weightKg: 0.5, count: 1, description: 'envelope' },
      deadline: '2025-03-13T17:30:00.000Z',
    },
  },
  {
    text: 'Kantstraße 12 → Torstraße 3, 2 lbs, asap',
    draft: { pickup: { address: 'Kantstraße 12' }, dropoff: { address: 'Torstraße 3' }, parcel: { weightKg: 0.91 }, priority: 'urgent' },
  },
  {
    text: 'deliver to Maria at Elm St 14',
    draft: { dropoff: { address: 'Elm St 14', contactName: 'Maria' }, priority: 'standard' },
    missing: ['pickup.address', 'pickup.lat', 'pickup.lng', 'dropoff.lat', 'dropoff.lng', 'parcel.weightKg'],
  },
  {
    text: 'a pallet of 300 kilos from the warehouse to 52.52,13.40 tomorrow',
    draft: {
      pickup: warehouse,
      dropoff: { address: '52.52, 13.40', lat: 52.52, lng: 13.4 },
      parcel: { weightKg: 300, count: 1, description: 'pallet' },
      deadline: '2025-03-14T23:59:00.000Z',
    },
    missing: [],
  },
  {
    text: 'two parcels, 3.5 kg each, from home to the office, express',
    draft: { pickup: home, dropoff: office, parcel: { weightKg: 7, count: 2 }, priority: 'express' },
    missing: [],
  },
  {
    text: 'Need a courier today: 10kg from Bergmannstr. 7 to Oranienstr. 25',
    draft: {
      pickup: { address: 'Bergmannstr. 7' },
      dropoff: { address: 'Oranienstr. 25' },
      parcel: { weightKg: 10 },
      priority: 'express',
      deadline: '2025-03-13T23:59:00.000Z',
    },
  },
  {
    text: 'Same day delivery of documents from Rosenthaler Str 40 to Unter den Linden 77',
    draft: { pickup: { address: 'Rosenthaler Str 40' }, dropoff: { address: 'Unter den Linden 77' }, parcel: { description: 'documents' }, priority: 'express' },
    missing: ['pickup.lat', 'pickup.lng', 'dropoff.lat', 'dropoff.lng', 'parcel.weightKg'],
  },
  {
    text: 'Emergency: medical supplies, 2 kg, from Charité, Charitéplatz 1 to Vivantes Klinikum, Landsberger Allee 49, in 2 hours',
    draft: {
      pickup: { address: 'Charité, Charitéplatz 1' },
      dropoff: { address: 'Vivantes Klinikum, Landsberger Allee 49' },
      parcel: { weightKg: 2, description: 'medical supplies' },
      priority: 'urgent',
      deadline: '2025-03-13T11:00:00.000Z',
    },
  },
  {
    text: 'Pickup: Torstraße 1, Berlin. Dropoff: Schönhauser Allee 36, Berlin. 7 kg.',
    draft: { pickup: { address: 'Torstraße 1, Berlin' }, dropoff: { address: 'Schönhauser Allee 36, Berlin' }, parcel: { weightKg: 7 } },
  },
  {
    text: 'Can you pick up 2 crates from the farm shop at Dorfstraße 3 and bring them to Marktplatz 1 before noon?',
    draft: {
      pickup: { address: 'the farm shop, Dorfstraße 3' },
      dropoff: { address: 'Marktplatz 1' },
      parcel: { count: 2, description: 'crates' },
      deadline: '2025-03-13T12:00:00.000Z',
    },
  },
  {
    text: 'Urgent!! 1 envelope to Dr. Weber at Klinikum Nord, Hauptweg 2 from our office',
    draft: { pickup: office, dropoff: { address: 'Klinikum Nord, Hauptweg 2', contactName: 'Dr. Weber' }, parcel: { count: 1 }, priority: 'urgent' },
    missing: ['dropoff.lat', 'dropoff.lng', 'parcel.weightKg'],
  },
  {
    text: 'I need to send a laptop to Jonas at Karl-Marx-Allee 90 tomorrow morning. Pick up from Rosa-Luxemburg-Platz 2.',
    draft: {
      pickup: { address: 'Rosa-Luxemburg-Platz 2' },
      dropoff: { address: 'Karl-Marx-Allee 90', contactName: 'Jonas' },
      parcel: { description: 'laptop' },
      deadline: '2025-03-14T12:00:00.000Z',
    },
  },
  {
    text: '2x4kg from Warschauer Str. 33 to Revaler Str. 99 fast',
    draft: { pickup: { address: 'Warschauer Str. 33' }, dropoff: { address: 'Revaler Str. 99' }, parcel: { weightKg: 8, count: 2 }, priority: 'express' },
  },
  {
    text: 'Please collect a 25 kg bag of cement at Baumarkt Süd, Industriestr 8 and deliver it to the site at Neubau 5 by Friday',
    draft: {
      pickup: { address: 'Baumarkt Süd, Industriestr 8' },
      dropoff: { address: 'the site, Neubau 5' },
      parcel: { weightKg: 25, count: 1, description: 'bag of cement' },
      deadline: '2025-03-14T23:59:00.000Z',
    },
  },
  {
    text: 'Flowers for Anna at Gartenweg 7, from Blumen Koch, Seestraße 12, tonight',
    draft: {
      pickup: { address: 'Blumen Koch, Seestraße 12' },
      dropoff: { address: 'Gartenweg 7', contactName: 'Anna' },
      parcel: { description: 'Flowers' },
      priority: 'express',
      deadline: '2025-03-13T21:00:00.000Z',
    },
  },
  {
    text: 'Moving 3 suitcases, about 20 kg each, from Hotel Adlon to BER airport, same day',
    draft: { pickup: { address: 'Hotel Adlon' }, dropoff: { address: 'BER airport' }, parcel: { weightKg: 60, count: 3 }, priority: 'express' },
  },
  {
    text: 'deliver 10 kilos of apples to Obsthof Kaiser, Am Markt 4',
    draft: { dropoff: { address: 'Obsthof Kaiser, Am Markt 4' }, parcel: { weightKg: 10, description: 'apples' } },
    missing: ['pickup.address', 'pickup.lat', 'pickup.lng', 'dropoff.lat', 'dropoff.lng'],
  },
  {
    text: 'From 52.5200, 13.4050 to 52.4862, 13.4247, 1.2 kg, in 45 minutes',
    draft: {
      pickup: { address: '52.5200, 13.4050', lat: 52.52, lng: 13.405 },
      dropoff: { address: '52.4862, 13.4247', lat: 52.4862, lng: 13.4247 },
      parcel: { weightKg: 1.2 },
      deadline: '2025-03-13T09:45:00.000Z',
    },
    missing: [],
  },
  {
    text: '3 boxes to home from the bakery',
    draft: { pickup: bakery, dropoff: home, parcel: { count: 3 } },
    missing: ['parcel.weightKg'],
  },
  {
    text: 'no rush — 5 kg from Lindenstr 1 to Kastanienallee 2 on Monday',
    draft: { pickup: { address: 'Lindenstr 1' }, dropoff: { address: 'Kastanienallee 2' }, parcel: { weightKg: 5 }, priority: 'standard', deadline: '2025-03-17T23:59:00.000Z' },
  },
  {
    text: 'send two small parcels (1 kg each) from Schillerstr 9 to Goethestr 3',
    draft: { pickup: { address: 'Schillerstr 9' }, dropoff: { address: 'Goethestr 3' }, parcel: { weightKg: 2, count: 2 } },
  },
  {
    text: 'Deliver to Elm St 14 for Maria, from Oak Ave 3, 4.5 kg, before 9am',
    draft: {
      pickup: { address: 'Oak Ave 3' },
      dropoff: { address: 'Elm St 14', contactName: 'Maria' },
      parcel: { weightKg: 4.5 },
      deadline: '2025-03-14T09:00:00.000Z', // 9 am has passed today
    },
  },
  {
    text: '500g of coffee beans to Café Lumen, Weserstr 5, tomorrow before 10:00, from the roastery',
    draft: { pickup: roastery, dropoff: { address: 'Café Lumen, Weserstr 5' }, parcel: { weightKg: 0.5, description: 'coffee beans' }, deadline: '2025-03-14T10:00:00.000Z' },
  },
  {
    text: 'Documents, express, Unter den Linden 77 -> Friedrichstraße 43',
    draft: { pickup: { address: 'Unter den Linden 77' }, dropoff: { address: 'Friedrichstraße 43' }, priority: 'express' },
  },
  {
    text: '12 kg, from home, deliver to Maria at Elm St 14 by 17:30, call her when you arrive',
    draft: {
      pickup: home,
      dropoff: { address: 'Elm St 14', contactName: 'Maria' },
      parcel: { weightKg: 12 },
      notes: 'call her when you arrive',
      deadline: '2025-03-13T17:30:00.000Z',
    },
  },
  {
    text: 'pick up at 52.52,13.40 deliver to 52.51, 13.39 3 kg today',
    draft: {
      pickup: { address: '52.52, 13.40', lat: 52.52, lng: 13.4 },
      dropoff: { address: '52.51, 13.39', lat: 52.51, lng: 13.39 },
      parcel: { weightKg: 3 },
      priority: 'express',
    },
    missing: [],
  },
  {
    text: 'we need a pallet moved from Lager 3, Hafenstraße 10 to the Messe, Messedamm 22 asap, it weighs 400 kg',
    draft: {
      pickup: { address: 'Lager 3, Hafenstraße 10' },
      dropoff: { address: 'the Messe, Messedamm 22' },
      parcel: { weightKg: 400, count: 1 },
      priority: 'urgent',
    },
  },
  {
    text: 'Express delivery of 3 boxes (5 kg each) from Bäckerei Schmidt to Maria at Elm St 14',
    draft: { pickup: { address: 'Bäckerei Schmidt' }, dropoff: { address: 'Elm St 14', contactName: 'Maria' }, parcel: { weightKg: 15, count: 3 }, priority: 'express' },
  },
  {
    text: 'Pick it up from the bakery and drop it off at home in 2 hours',
    draft: { pickup: bakery, dropoff: home, deadline: '2025-03-13T11:00:00.000Z' },
    missing: ['parcel.weightKg'],
  },
  {
    text: 'Send 2 lbs of spices from Gewürzhaus, Bergstr 4 to Küche am See, Seeweg 1 by 6:30 pm on Friday',
    draft: {
      pickup: { address: 'Gewürzhaus, Bergstr 4' },
      dropoff: { address: 'Küche am See, Seeweg 1' },
      parcel: { weightKg: 0.91, description: 'spices' },
      deadline: '2025-03-14T18:30:00.000Z',
    },
  },
  {
    text: '3 kg package to Hauptbahnhof',
    draft: { dropoff: { address: 'Hauptbahnhof' }, parcel: { weightKg: 3 } },
    missing: ['pickup.address', 'pickup.lat', 'pickup.lng', 'dropoff.lat', 'dropoff.lng'],
  },
  {
    text: 'From Alexanderplatz to Potsdamer Platz, not urgent, 1 kg',
    draft: { pickup: { address: 'Alexanderplatz' }, dropoff: { address: 'Potsdamer Platz' }, parcel: { weightKg: 1 }, priority: 'standard' },
  },
  {
    text: 'urgent: 2 envelopes, from Kanzlei Berg (Kurfürstendamm 50) to Amtsgericht, Littenstr. 12, before 14:00',
    draft: {
      pickup: { address: 'Kanzlei Berg (Kurfürstendamm 50)' },
      dropoff: { address: 'Amtsgericht, Littenstr. 12' },
      parcel: { count: 2, description: 'envelopes' },
      priority: 'urgent',
      deadline: '2025-03-13T14:00:00.000Z',
    },
  },
  {
    text: '4 boxes, 2.5 kg each, Alexanderplatz 1 to Friedrichstraße 100, fragile, ring twice',
    draft: {
      pickup: { address: 'Alexanderplatz 1' },
      dropoff: { address: 'Friedrichstraße 100' },
      parcel: { weightKg: 10, count: 4 },
      notes: 'fragile; ring twice',
    },
  },
  {
    text: 'Please collect 3 x 2 kg from Hauptstr 1, drop off at Nebenstr 2 the day after tomorrow, keep upright',
    draft: {
      pickup: { address: 'Hauptstr 1' },
      dropoff: { address: 'Nebenstr 2' },
      parcel: { weightKg: 6, count: 3 },
      notes: 'keep upright',
      deadline: '2025-03-15T23:59:00.000Z',
    },
  },
  {
    text: 'ship 1,5 kg to 52.52, 13.40 on 2025-03-20 at 10am, pick up at home',
    draft: { pickup: home, dropoff: { address: '52.52, 13.40', lat: 52.52, lng: 13.4 }, parcel: { weightKg: 1.5 }, deadline: '2025-03-20T10:00:00.000Z' },
    missing: [],
  },
  {
    text: 'Total weight 18 kg, six cartons of books, collect from the warehouse, deliver to Stadtbibliothek, Breite Str. 30 by end of day',
    draft: {
      pickup: warehouse,
      dropoff: { address: 'Stadtbibliothek, Breite Str. 30' },
      parcel: { weightKg: 18, count: 6, description: 'cartons of books' },
      deadline: '2025-03-13T18:00:00.000Z',
    },
  },
];

describe('parseDeliveryRequest: realistic requests', () => {
  it('has a broad table', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)('$text', ({ text, draft, missing }) => {
    const result = parse(text);
    expect(result.draft).toMatchObject(draft);
    if (missing) expect(result.missing).toEqual(missing);
    expect(draftDeliverySchema.safeParse(result.draft).success).toBe(true);
  });
});

describe('parseDeliveryRequest: weights and counts', () => {
  const weightOf = (text: string) => parse(`${text} from Hauptstr 1 to Nebenstr 2`).draft.parcel?.weightKg;

  it.each([
    ['12 kg', 12],
    ['12kg', 12],
    ['12 kilos', 12],
    ['3.5 kg', 3.5],
    ['3,5 kg', 3.5],
    ['500 g', 0.5],
    ['1,500 g', 1.5],
    ['2 lbs', 0.91],
    ['a 10-kilo bag', 10],
    ['three 4 kg boxes', 12],
    ['2 boxes, 4 kg each', 8],
    ['2 boxes, each 4 kg', 8],
    ['5 boxes, 20 kg in total', 20],
    ['up to 20 kg', 20],
    ['10-12 kg', 12],
  ])('%s weighs %s kg', (text, kg) => {
    expect(weightOf(text)).toBe(kg);
  });

  it.each([
    ['3 boxes', 3],
    ['two parcels', 2],
    ['a pallet', 1],
    ['an envelope', 1],
    ['a couple of bags', 2],
    ['a dozen letters', 12],
    ['2 boxes and a pallet', 3],
  ])('%s counts %s', (text, count) => {
    expect(parse(`${text} from Hauptstr 1 to Nebenstr 2`).draft.parcel?.count).toBe(count);
  });

  it('leaves the weight out rather than guess it', () => {
    expect(parse('2 boxes from Hauptstr 1 to Nebenstr 2').draft.parcel).toEqual({ count: 2, description: 'boxes' });
    expect(parse('from Hauptstr 1 to Nebenstr 2').draft.parcel).toBeUndefined();
  });
});

describe('parseDeliveryRequest: priority', () => {
  it.each([
    ['urgent', 'urgent'],
    ['ASAP please', 'urgent'],
    ['rush job', 'urgent'],
    ['emergency', 'urgent'],
    ['express', 'express'],
    ['fast', 'express'],
    ['today', 'express'],
    ['same-day', 'express'],
    ['tomorrow', 'standard'],
    ['no rush', 'standard'],
    ['not urgent', 'standard'],
    ['during rush hour', 'standard'],
    ['express or even urgent', 'urgent'],
  ])('%s → %s', (words, priority) => {
    expect(parse(`2 kg from Hauptstr 1 to Nebenstr 2, ${words}`).draft.priority).toBe(priority);
  });
});

describe('parseDeliveryRequest: deadlines', () => {
  const deadline = (words: string, now = NOW) => parse(`2 kg from Hauptstr 1 to Nebenstr 2 ${words}`, now).draft.deadline;

  it('reads times of day as their next occurrence', () => {
    expect(deadline('by 17:30')).toBe('2025-03-13T17:30:00.000Z');
    expect(deadline('by 17:30', '2025-03-13T18:00:00Z')).toBe('2025-03-14T17:30:00.000Z');
    expect(deadline("before 5 o'clock")).toBe('2025-03-13T17:00:00.000Z');
    expect(deadline('by 5.30pm')).toBe('2025-03-13T17:30:00.000Z');
    expect(deadline('before midnight')).toBe('2025-03-13T23:59:00.000Z');
  });

  it('prefers the time after "by" or "before" to other times mentioned', () => {
    expect(deadline('pick up at 11 am, deliver by 3 pm')).toBe('2025-03-13T15:00:00.000Z');
  });

  it('reads days, weekdays and dates', () => {
    expect(deadline('tomorrow')).toBe('2025-03-14T23:59:00.000Z');
    expect(deadline('tmrw afternoon')).toBe('2025-03-14T17:00:00.000Z');
    expect(deadline('on Friday')).toBe('2025-03-14T23:59:00.000Z');
    expect(deadline('next Thursday')).toBe('2025-03-20T23:59:00.000Z');
    expect(deadline('on Sunday at 8 am')).toBe('2025-03-16T08:00:00.000Z');
    expect(deadline('by 2025-04-01')).toBe('2025-04-01T23:59:00.000Z');
    expect(deadline('tonight')).toBe('2025-03-13T21:00:00.000Z');
  });

  it('reads relative times from now', () => {
    expect(deadline('in 2 hours')).toBe('2025-03-13T11:00:00.000Z');
    expect(deadline('within 90 minutes')).toBe('2025-03-13T10:30:00.000Z');
    expect(deadline('in half an hour')).toBe('2025-03-13T09:30:00.000Z');
    expect(deadline('within the hour')).toBe('2025-03-13T10:00:00.000Z');
  });

  it('takes the earlier of a relative and an absolute deadline', () => {
    expect(deadline('in 2 hours, at the latest by 10:00')).toBe('2025-03-13T10:00:00.000Z');
  });

  it('reads wall-clock times in the offset of "now" and answers in UTC', () => {
    expect(deadline('before 5 pm tomorrow', '2025-03-13T09:00:00+01:00')).toBe('2025-03-14T16:00:00.000Z');
    // 23:30 in New York is already the next day in UTC; "tomorrow" is still New York's tomorrow.
    expect(deadline('tomorrow at 9am', '2025-03-13T23:30:00-04:00')).toBe('2025-03-14T13:00:00.000Z');
  });

  it('sets no deadline when none is given', () => {
    expect(deadline('')).toBeUndefined();
  });
});

describe('parseDeliveryRequest: stops', () => {
  it('resolves saved places by label, with or without the article', () => {
    expect(parse('2 kg from bakery to Maria at home').draft).toMatchObject({
      pickup: bakery,
      dropoff: { ...home, contactName: 'Maria' },
    });
  });

  it('takes a saved place mentioned outside the destination as the pickup', () => {
    expect(parse('Office order: 2 boxes to Maria at Elm St 14').draft.pickup).toEqual(office);
  });

  it('keeps an address and a position given together', () => {
    expect(parse('deliver to Elm St 14 (52.51, 13.39), 1 kg').draft.dropoff).toEqual({ address: 'Elm St 14', lat: 52.51, lng: 13.39 });
  });

  it('ignores out-of-range coordinates', () => {
    expect(parse('deliver to 95.5, 13.39').draft.dropoff?.lat).toBeUndefined();
  });

  it('does not mistake "need to" or "next to" for a destination', () => {
    const { draft } = parse('I need to ship 2 kg from the kiosk next to the station to Elm St 14');
    expect(draft.pickup?.address).toBe('the kiosk next to the station');
    expect(draft.dropoff?.address).toBe('Elm St 14');
  });

  it('does not take a business name for a contact', () => {
    expect(parse('deliver to Hotel Adlon at Unter den Linden 77').draft.dropoff).toEqual({ address: 'Hotel Adlon, Unter den Linden 77' });
  });

  it('ignores unusable saved places', () => {
    const result = parseDeliveryRequest('from home to Elm St 14', {
      now: NOW,
      knownAddresses: [{ label: 'home', address: 'Nowhere', lat: Number.NaN, lng: 0 }],
    });
    expect(result.draft.pickup).toEqual({ address: 'home' });
  });
});

describe('parseDeliveryRequest: robustness', () => {
  it('ignores absurd numbers instead of producing an invalid draft', () => {
    const huge = '9'.repeat(400);
    const { draft } = parse(`${huge} kg from Hauptstr 1 to Nebenstr 2 in ${huge} hours`);
    expect(draft.parcel?.weightKg).toBeUndefined();
    expect(draft.deadline).toBeUndefined();
    expect(draftDeliverySchema.safeParse(draft).success).toBe(true);
  });

  it('treats the scanner’s own marks in the text as plain spaces', () => {
    expect(parse('from Hauptstr 1 ⟦⟧ to ¦ Nebenstr 2').draft).toMatchObject({
      pickup: { address: 'Hauptstr 1' },
      dropoff: { address: 'Nebenstr 2' },
    });
  });

  it('rejects a "now" that is not an ISO date-time', () => {
    expect(() => parseDeliveryRequest('2 kg to Elm St 14', { now: 'yesterday' })).toThrow(RangeError);
  });
});

describe('parseDeliveryRequest: properties', () => {
  const streets = fc.constantFrom(
    'Hauptstraße',
    'Elm St',
    'Lindenallee',
    'Karl-Marx-Allee',
    'Rue de Rivoli',
    'Oak Avenue',
    'Straße des 17. Juni',
    'Unter den Linden',
    'Am Markt',
  );
  const address = fc.tuple(streets, fc.integer({ min: 1, max: 299 })).map(([street, n]) => `${street} ${n}`);
  const countWords = ['one', 'two', 'three', 'four', 'five', 'six'];
  const now = fc
    .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString());

  it('never throws and always returns a schema-valid draft whose missing list matches it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'grapheme-ascii' }), fc.string({ maxLength: 60, unit: 'grapheme' }), now, (ascii, unicode, at) => {
        const result = parseDeliveryRequest(`${ascii} ${unicode}`, { now: at, knownAddresses: KNOWN });
        expect(draftDeliverySchema.safeParse(result.draft).success).toBe(true);
        const draft = result.draft as Record<string, Record<string, unknown> | undefined>;
        const expected = REQUIRED_DRAFT_FIELDS.filter((field) => {
          const [group = '', key = ''] = field.split('.');
          return draft[group]?.[key] === undefined;
        });
        expect(result.missing).toEqual(expected);
      }),
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), now, (text, at) => {
        expect(parseDeliveryRequest(text, { now: at })).toEqual(parseDeliveryRequest(text, { now: at }));
      }),
    );
  });

  it('reads generated orders back: count, per-item or total weight, both addresses', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 60 }),
        fc.boolean(),
        address,
        address,
        (count, kg, each, from, to) => {
          const text = `${countWords[count - 1]} boxes, ${kg} kg ${each ? 'each' : 'total'}, from ${from} to ${to}`;
          const { draft } = parse(text);
          expect(draft.parcel).toMatchObject({ count, weightKg: each ? count * kg : kg });
          expect(draft.pickup?.address).toBe(from);
          expect(draft.dropoff?.address).toBe(to);
        },
      ),
    );
  });

  it('puts "in N hours" exactly N hours after now, whatever now is', () => {
    fc.assert(
      fc.property(now, fc.integer({ min: 1, max: 48 }), (at, hours) => {
        const { draft } = parseDeliveryRequest(`2 kg to Elm St 14 in ${hours} hours`, { now: at });
        expect(Date.parse(draft.deadline ?? '')).toBe(Date.parse(at) + hours * 3_600_000);
      }),
    );
  });

  it('puts "by HH:MM" within the next 24 hours, at that wall-clock time', () => {
    fc.assert(
      fc.property(now, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (at, h, m) => {
        const clock = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
        const { draft } = parseDeliveryRequest(`2 kg to Elm St 14 by ${clock}`, { now: at });
        const due = new Date(draft.deadline ?? '');
        expect(due.getTime()).toBeGreaterThan(Date.parse(at));
        expect(due.getTime()).toBeLessThanOrEqual(Date.parse(at) + 24 * 3_600_000);
        expect([due.getUTCHours(), due.getUTCMinutes()]).toEqual([h, m]);
      }),
    );
  });
});

describe('time windows in free text', () => {
  const now = '2025-03-13T08:30:00+01:00';
  it('reads "tomorrow between 9 and 11" as a pickup window in the local offset', () => {
    const { draft } = parseDeliveryRequest('Pick up at Lindenstr 1 tomorrow between 9 and 11, deliver to Kastanienallee 2', { now });
    expect(draft.pickupWindow).toEqual({ from: '2025-03-14T08:00:00.000Z', to: '2025-03-14T10:00:00.000Z' });
  });

  it('takes am/pm from the end of the range, and a deadline as the end of the drop-off window', () => {
    const { draft } = parseDeliveryRequest('collect from Lindenstr 1 Friday 9-11am, to Kastanienallee 2 by 5 pm', { now });
    expect(draft.pickupWindow).toEqual({ from: '2025-03-14T08:00:00.000Z', to: '2025-03-14T10:00:00.000Z' });
    expect(draft.dropoffWindow).toEqual({ from: '2025-03-14T08:00:00.000Z', to: '2025-03-14T16:00:00.000Z' });
  });

  it('leaves bare number ranges alone', () => {
    expect(parseDeliveryRequest('2-3 boxes from Lindenstr 1 to Kastanienallee 2', { now }).draft.pickupWindow).toBeUndefined();
  });
});
