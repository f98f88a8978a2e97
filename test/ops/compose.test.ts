/**
 * docker-compose.yml cannot be started here (no Docker engine), so it is checked statically: the compose
 * linter (schema + rules), health checks and dependency conditions, and that everything it runs or mounts
 * exists in this repository.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_KEYS } from '../../config/env.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const run = promisify(execFile);

interface Service {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  volumes?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const APP_IMAGE = '${APP_IMAGE:-logistics-platform:local}';
const appServices = Object.entries(services).filter(([, s]) => s.image === APP_IMAGE);

async function lint(file: string): Promise<{ errorCount: number; warningCount: number; messages: Array<{ rule: string; message: string }> }> {
  const { stdout } = await run(process.execPath, [path.join(root, 'node_modules', 'dclint', 'bin', 'dclint.cjs'), file, '-f', 'json', '-c', path.join(root, '.dclintrc.json')], {
    cwd: root,
  }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  const [report] = JSON.parse(stdout) as Array<{ errorCount: number; warningCount: number; messages: Array<{ rule: string; message: string }> }>;
  return report!;
}

describe('docker-compose.yml', () => {
  it('passes the compose linter (compose-spec schema and rules) with no errors or warnings', async () => {
    const report = await lint('docker-compose.yml');
    expect(report.messages).toEqual([]);
    expect(report.errorCount + report.warningCount).toBe(0);
  });

  it('is linted for real: a service with a misspelt key fails', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'compose-'));
    const broken = read('docker-compose.yml').replace('  redis:\n    image:', '  redis:\n    imagee:');
    await writeFile(path.join(dir, 'docker-compose.yml'), broken);
    const report = await lint(path.join(dir, 'docker-compose.yml'));
    expect(report.errorCount).toBeGreaterThan(0);
    expect(report.messages.map((m) => m.rule)).toContain('invalid-schema');
  });

  it('runs every piece the deployment needs', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['alertmanager', 'api', 'grafana', 'migrate', 'nginx', 'postgres', 'prometheus', 'queues', 'redis', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'].sort(),
    );
    expect(services.postgres!.image).toMatch(/^postgres:16/);
    expect(services.redis!.image).toMatch(/^redis:7/);
    expect(services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
  });

  it('gives every service a health check and every dependency a condition on a service that exists', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test?.length, `${name} has no health check`).toBeGreaterThan(0);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on unknown ${dependency}`).toBeDefined();
        expect(['service_healthy', 'service_completed_successfully']).toContain(condition);
        // Waiting for completion only makes sense for a job that ends.
        if (condition === 'service_completed_successfully') expect(services[dependency]!.restart).toMatch(/^on-failure/);
      }
    }
  });

  it('runs only commands that exist: image roles, package.json scripts, built files and mounted files', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const roles = /const ROLES = \[([^\]]+)\]/.exec(read('scripts/start-prod.ts'))![1]!.match(/'([a-z]+)'/g)!.map((r) => r.slice(1, -1));
    expect(roles).toEqual(['api', 'worker', 'queues', 'migrate', 'all']);

    // The image runs exactly what `npm run start:prod` runs.
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(read('Dockerfile'))![1]!) as string[];
    const startProd = pkg.scripts['start:prod']!;
    expect(startProd).toContain(entrypoint.slice(entrypoint.indexOf('node')).join(' '));
    for (const [, script] of read('Dockerfile').matchAll(/npm run ([\w:-]+)/g)) expect(pkg.scripts, `Dockerfile runs npm run ${script}`).toHaveProperty(script!);

    expect(appServices.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'queues', 'worker']);
    for (const [name, service] of appServices) {
      expect(service.command, name).toHaveLength(1);
      expect(roles).toContain(service.command![0]);
      const test = service.healthcheck!.test;
      const built = test.find((part) => part.startsWith('dist/'));
      if (built) expect(existsSync(path.join(root, built.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), built).toBe(true);
      // A misspelt variable would be silently ignored by the config schema's defaults.
      for (const key of Object.keys(service.environment ?? {})) expect(CONFIG_KEYS as string[], `${name}: ${key}`).toContain(key);
    }

    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./') && !source.includes('/certs')) expect(existsSync(path.join(root, source)), `${name} mounts ${source}`).toBe(true);
      }
      const script = (service.entrypoint ?? []).find((part) => part.startsWith('/scripts/'));
      if (script) {
        const mounted = (service.volumes ?? []).find((v) => v.split(':')[1] === script);
        expect(mounted, `${name} runs ${script} without mounting it`).toBeDefined();
      }
    }
    expect(existsSync(path.join(root, 'scripts', 'make-dev-cert.sh'))).toBe(true);
  });

  it('has Prometheus scrape api, worker, queue processors and Temporal on the ports they serve metrics on', () => {
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; port: number }>; static_configs?: Array<{ targets: string[] }> }>;
    };
    const targets = Object.fromEntries(
      prometheus.scrape_configs.map((job) => [
        job.job_name,
        job.dns_sd_configs ? `${job.dns_sd_configs[0]!.names[0]}:${job.dns_sd_configs[0]!.port}` : job.static_configs![0]!.targets[0],
      ]),
    );
    const dockerfile = read('Dockerfile');
    const envOf = (key: string) => new RegExp(`${key}=(\\d+)`).exec(dockerfile)![1];
    expect(targets).toMatchObject({
      api: `api:${envOf('PORT')}`,
      worker: `worker:${envOf('WORKER_METRICS_PORT')}`,
      queues: `queues:${envOf('QUEUE_METRICS_PORT')}`,
      temporal: `temporal:${services.temporal!.environment!.PROMETHEUS_ENDPOINT!.split(':')[1]}`,
    });
  });

  it('provisions a Grafana dashboard with RED, workflow and queue panels', () => {
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/logistics.json')) as { panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }> };
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    for (const panel of panels) expect(panel.targets?.[0]?.expr, panel.title).toBeTruthy();
    const exprs = panels.flatMap((p) => p.targets!.map((t) => t.expr)).join('\n');
    for (const metric of ['http_requests_total', 'http_request_duration_seconds_bucket', 'temporal_workflow_completed', 'delivery_transitions_total', 'queue_jobs', 'socketio_connected_clients']) {
      expect(exprs).toContain(metric);
    }
    const provisioning = parse(read('deploy/grafana/provisioning/dashboards/logistics.yml')) as { providers: Array<{ options: { path: string } }> };
    const grafanaMount = services.grafana!.volumes!.find((v) => v.startsWith('./deploy/grafana/dashboards:'))!;
    expect(grafanaMount.split(':')[1]).toBe(provisioning.providers[0]!.options.path);
  });
});
