/** The block `npm start` prints once everything answers: where each kind of user goes, and who to log in as. */
import { DEFAULT_DEMO_PASSWORD, type Config } from '../../config/env.js';

export interface BannerInput {
  config: Readonly<Config>;
  temporalUiUrl: string;
  trackingCode?: string;
  simulate: boolean;
  workerPolling: boolean;
}

export function readyBanner({ config, temporalUiUrl, trackingCode, simulate, workerPolling }: BannerInput): string {
  const base = `http://localhost:${config.PORT}`;
  const password = config.DEMO_PASSWORD === DEFAULT_DEMO_PASSWORD ? `${config.DEMO_PASSWORD}  (the default; set DEMO_PASSWORD to change it)` : '(the DEMO_PASSWORD you set)';
  const rows: Array<[string, string]> = [
    ['Dispatcher dashboard', `${base}/dispatch`],
    ['Driver app (phone)', `${base}/driver`],
    ['Customer portal', `${base}/customer`],
    ['Public tracking', `${base}/track/${trackingCode ?? '<tracking-code>'}`],
    ['Temporal Web UI', temporalUiUrl],
    ['API docs', `${base}/api/v1/docs`],
    ['Health / readiness', `${base}/health  ${base}/ready`],
    ['Metrics (api)', `${base}/metrics`],
    ['Metrics (worker)', `http://localhost:${config.WORKER_METRICS_PORT}/metrics`],
    ['Metrics (queues)', `http://localhost:${config.QUEUE_METRICS_PORT}/metrics`],
  ];
  const lines = [
    '',
    '━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
    '  Logistics platform is ready',
    '━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
    ...rows.map(([label, url]) => `  ${label.padEnd(22)} ${url}`),
    '',
  ];
  if (!config.production) {
    lines.push(
      '  Demo logins',
      '    admin@example.com  dispatcher@example.com  customer@example.com',
      '    driver1@example.com … driver5@example.com',
      `    password: ${password}`,
      '',
    );
  }
  if (!workerPolling) lines.push('  ! no Temporal worker polls the task queue yet: deliveries wait until it does', '');
  lines.push(
    simulate ? '  Simulation on: 5 drivers and a stream of orders.' : '  Want a live board?  npm start -- --simulate',
    '  Stop with Ctrl-C (data is kept for the next start).',
    '━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━',
    '',
  );
  return lines.join('\n');
}
