import { describe, expect, it } from 'vitest';
import { fitViewport, project, scaleBar, tilesFor, unproject, viewAround, worldPoint } from './projection.js';

describe('map projection', () => {
  it('puts the equator and the prime meridian in the middle of the world square', () => {
    expect(worldPoint({ lat: 0, lng: 0 })).toEqual({ x: 128, y: 128 });
    expect(worldPoint({ lat: 85.05112878, lng: -180 }).y).toBeCloseTo(0, 5);
  });

  it('fits every point inside the viewport with the padding', () => {
    const points = [
      { lat: 52.5, lng: 13.3 },
      { lat: 52.55, lng: 13.45 },
      { lat: 52.47, lng: 13.4 },
    ];
    const view = fitViewport(points, 800, 450, { padding: 40 });
    for (const p of points) {
      const { x, y } = project(view, p);
      expect(x).toBeGreaterThanOrEqual(40 - 1e-6);
      expect(x).toBeLessThanOrEqual(760 + 1e-6);
      expect(y).toBeGreaterThanOrEqual(40 - 1e-6);
      expect(y).toBeLessThanOrEqual(410 + 1e-6);
    }
  });

  it('centres a single point at the maximum zoom', () => {
    const view = fitViewport([{ lat: 48.85, lng: 2.35 }], 400, 300, { maxZoom: 15 });
    expect(view.zoom).toBe(15);
    const p = project(view, { lat: 48.85, lng: 2.35 });
    expect(p.x).toBeCloseTo(200, 6);
    expect(p.y).toBeCloseTo(150, 6);
  });

  it('lists the tiles that cover the viewport, wrapped around the antimeridian', () => {
    const view = fitViewport([{ lat: 0, lng: 179.9 }], 512, 256, { maxZoom: 2 });
    const tiles = tilesFor(view, 'https://t/{z}/{x}/{y}.png');
    expect(tiles.length).toBeGreaterThan(0);
    for (const t of tiles) expect(t.href).toMatch(/^https:\/\/t\/2\/[0-3]\/[0-3]\.png$/);
    // Together they cover the viewport.
    expect(Math.min(...tiles.map((t) => t.x))).toBeLessThanOrEqual(0);
    expect(Math.max(...tiles.map((t) => t.x + t.size))).toBeGreaterThanOrEqual(512);
  });

  it('gives a round scale-bar distance no longer than asked', () => {
    const view = fitViewport([{ lat: 52.5, lng: 13.4 }], 800, 450, { maxZoom: 14 });
    const bar = scaleBar(view, 120);
    expect(bar.label).toMatch(/^(\d+ m|\d+ km)$/);
    expect(bar.pixels).toBeLessThanOrEqual(120);
    expect(bar.pixels).toBeGreaterThan(30);
  });
});

describe('picking a point on the map', () => {
  it('finds the point under a pixel: the inverse of projecting it', () => {
    const view = viewAround({ lat: 52.52, lng: 13.405 }, 15, 600, 340);
    for (const p of [{ lat: 52.521, lng: 13.401 }, { lat: 52.517, lng: 13.41 }]) {
      const back = unproject(view, project(view, p));
      expect(back.lat).toBeCloseTo(p.lat, 9);
      expect(back.lng).toBeCloseTo(p.lng, 9);
    }
    expect(unproject(view, { x: 300, y: 170 }).lat).toBeCloseTo(52.52, 9);
  });

  it('asks no tile above the server’s maximum zoom, and fills a subdomain', () => {
    const view = viewAround({ lat: 52.52, lng: 13.405 }, 18, 256, 256);
    const tiles = tilesFor(view, 'https://{s}.tiles.test/{z}/{x}/{y}.png', 16);
    expect(tiles.every((t) => /^https:\/\/[abc]\.tiles\.test\/16\//.test(t.href))).toBe(true);
  });
});
