import { api } from '../lib/api.js';

type Point = { lat: number; lng: number };

/**
 * The road line between a delivery's stops when a router gave one, null otherwise (and while asking).
 * Call during component setup; keyed on the id alone, so a live update of the same delivery does not ask again.
 */
export function useRoad(deliveryId: () => string): { readonly points: Point[] | null } {
  let points = $state.raw<Point[] | null>(null);
  const routedId = $derived(deliveryId());
  $effect(() => {
    const id = routedId;
    points = null;
    api.deliveries.route(id).then((line) => {
      if (id === routedId) points = line.points;
    }, () => {});
  });
  return {
    get points() {
      return points;
    },
  };
}
