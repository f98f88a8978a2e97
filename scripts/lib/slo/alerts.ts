/**
 * Watches Prometheus's alerts (pending and firing) and Alertmanager's received alerts through the run,
 * so each fault can be given the alert it raised and how long after the fault it was seen.
 */
import { sleep } from './actors.js';

export interface AlertSighting {
  name: string;
  labels: Record<string, string>;
  /** Prometheus's activeAt: when the rule's condition first held. */
  activeAt: number;
  firingSeenAt?: number;
  alertmanagerSeenAt?: number;
}

const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

export class AlertWatch {
  readonly sightings = new Map<string, AlertSighting>();
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly prometheusUrl: string,
    private readonly alertmanagerUrl: string,
    private readonly everyMs = 5000,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (this.running) {
        await this.poll().catch(() => undefined);
        await sleep(this.everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.poll().catch(() => undefined);
  }

  private async poll(): Promise<void> {
    const now = Date.now();
    const prom = (await (await fetch(`${this.prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(4000) })).json()) as {
      data: { alerts: Array<{ labels: Record<string, string>; state: string; activeAt: string }> };
    };
    for (const alert of prom.data.alerts) {
      const key = keyOf(alert.labels);
      const activeAt = Date.parse(alert.activeAt);
      let seen = this.sightings.get(key);
      // A rule that cleared and held again later is a new sighting.
      if (!seen || activeAt > seen.activeAt + 1000) {
        seen = { name: alert.labels.alertname ?? '?', labels: alert.labels, activeAt };
        this.sightings.set(`${key}@${activeAt}`, seen);
        this.sightings.set(key, seen);
      }
      if (alert.state === 'firing') seen.firingSeenAt ??= now;
    }
    const received = (await (await fetch(`${this.alertmanagerUrl}/api/v2/alerts`, { signal: AbortSignal.timeout(4000) })).json()) as Array<{ labels: Record<string, string> }>;
    for (const alert of received) {
      // Alertmanager may hold the labels Prometheus sent plus external ones: match by name when not exact.
      const latest = [...new Set(this.sightings.values())].filter((s) => s.name === alert.labels.alertname).sort((a, b) => b.activeAt - a.activeAt)[0];
      const seen = this.sightings.get(keyOf(alert.labels)) ?? latest;
      if (seen) seen.alertmanagerSeenAt ??= now;
    }
  }

  /** Alerts whose condition first held in [from, to). */
  raisedBetween(from: number, to: number): AlertSighting[] {
    const unique = new Set(this.sightings.values());
    return [...unique].filter((s) => s.activeAt >= from && s.activeAt < to).sort((a, b) => a.activeAt - b.activeAt);
  }
}
