/** A driver as dispatchers see them in `GET /drivers`: shared by the API and the pages. */
export interface DriverSummary {
  id: string;
  userId: string;
  name: string;
  vehicle: { type: string; capacityKg: number };
  onDuty: boolean;
  position: { lat: number; lng: number; heading: number | null; at: string } | null;
  load: { activeDeliveries: number; weightKg: number };
}
