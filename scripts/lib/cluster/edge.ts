/**
 * What stands around the platform in the cluster: nginx (TLS, balancing over the API replicas),
 * Prometheus and Alertmanager (Debian packages), and the Temporal Web UI server. Their config files are
 * written into the cluster's data folder at each start, from the ports of that start.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How long nginx sends nothing to a replica after one of its requests failed. */
export const NGINX_FAIL_TIMEOUT_MS = 2000;

export const PACKAGES = { nginx: '/usr/sbin/nginx', prometheus: '/usr/bin/prometheus', 'prometheus-alertmanager': '/usr/bin/prometheus-alertmanager' } as const;

/** Installs the missing Debian packages when running as root; otherwise says what to run. */
export async function ensurePackages(log: (line: string) => void): Promise<void> {
  const missing = Object.entries(PACKAGES).filter(([, binary]) => !existsSync(binary)).map(([name]) => name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missing.join(', ')}: install with \`sudo apt-get install -y ${missing.join(' ')}\` and start again`);
  }
  log(`installing ${missing.join(', ')} (apt-get)…`);
  await run('apt-get', ['update'], { maxBuffer: 64 * 1024 * 1024 });
  // No service starts at install: the cluster runs these itself, on its own ports.
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', RUNLEVEL: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** A self-signed certificate for localhost, made once and kept. */
export async function ensureCertificate(dir: string, log: (line: string) => void): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  await mkdir(dir, { recursive: true });
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825',
    '-keyout', key, '-out', cert, '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  log(`made a self-signed certificate for localhost: ${cert}`);
  return { cert, key };
}

export interface NginxOptions {
  dir: string;
  port: number;
  apiPorts: number[];
  cert: { cert: string; key: string };
}

/**
 * HTTP goes round-robin over the replicas. Socket.IO is sticky by client address, as in
 * deploy/nginx/nginx.conf: its long-polling requests and the upgrade that follows must reach the
 * replica that holds the session. X-Served-By names the replica, for operators and the cluster tests.
 */
export function nginxConfig(options: NginxOptions): string {
  const servers = options.apiPorts.map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=${NGINX_FAIL_TIMEOUT_MS / 1000}s;`).join('\n');
  const temp = (name: string) => path.join(options.dir, 'tmp', name);
  return `# Written by the cluster at each start (scripts/lib/cluster/edge.ts).
${process.getuid?.() === 0 ? '# Started as root: workers keep root so they can use the data folder.\nuser root;\n' : ''}worker_processes 2;
pid ${path.join(options.dir, 'nginx.pid')};
error_log stderr warn;
events {
  worker_connections 4096;
}

http {
  server_tokens off;
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};

  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
  }

  upstream api {
${servers}
    keepalive 32;
  }

  upstream api_sockets {
    hash $remote_addr consistent;
${servers}
  }

  server {
    # \`listen … http2\`, not \`http2 on\`: Debian 12's nginx 1.22 knows only the older form.
    listen 127.0.0.1:${options.port} ssl http2;
    ssl_certificate ${options.cert.cert};
    ssl_certificate_key ${options.cert.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    client_max_body_size 3m;
    add_header X-Served-By $upstream_addr always;

    # Prometheus scrapes the replicas directly; metrics are not public.
    location = /metrics {
      return 404;
    }

    location /socket.io/ {
      proxy_pass http://api_sockets;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      proxy_read_timeout 120s;
    }

    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Request-Id $request_id;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
    }
  }
}
`;
}

export async function writeNginxConfig(options: NginxOptions): Promise<string> {
  for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(path.join(options.dir, 'tmp', name), { recursive: true });
  const file = path.join(options.dir, 'nginx.conf');
  await writeFile(file, nginxConfig(options));
  return file;
}

export interface ScrapeTargets {
  api: number[];
  worker: number[];
  queues: number[];
  temporal: number[];
  prometheus: number;
  alertmanager?: number;
}

/** Every process by job, Temporal's four services included, with the alert rules of deploy/prometheus/alerts.yml. */
export function prometheusConfig(root: string, targets: ScrapeTargets): string {
  const job = (name: string, ports: number[]) =>
    `  - job_name: ${name}\n    static_configs:\n      - targets: [${ports.map((p) => `'127.0.0.1:${p}'`).join(', ')}]\n`;
  // The rules only: alerts.test.yml beside them is promtool's unit tests, which Prometheus cannot load.
  const rules = path.join(root, 'deploy', 'prometheus', 'alerts.yml');
  return `# Written by the cluster at each start (scripts/lib/cluster/edge.ts).
global:
  scrape_interval: 15s
  evaluation_interval: 15s

rule_files:
  - ${rules}
${targets.alertmanager ? `\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:${targets.alertmanager}']\n` : ''}
scrape_configs:
${job('api', targets.api)}${job('worker', targets.worker)}${job('queues', targets.queues)}${job('temporal', targets.temporal)}${job('prometheus', [targets.prometheus])}${targets.alertmanager ? job('alertmanager', [targets.alertmanager]) : ''}`;
}

/** Alerts are kept and shown on Alertmanager's page; wiring a receiver (mail, chat) is the operator's. */
export const ALERTMANAGER_CONFIG = `# Written by the cluster at each start (scripts/lib/cluster/edge.ts).
route:
  receiver: page
  group_by: [alertname, job]
receivers:
  - name: page
`;

export function uiServerConfig(options: { frontend: string; port: number; namespace: string }): string {
  return `# Written by the cluster at each start (scripts/lib/cluster/edge.ts).
temporalGrpcAddress: ${options.frontend}
host: 127.0.0.1
port: ${options.port}
enableUi: true
defaultNamespace: ${options.namespace}
showTemporalSystemNamespace: false
notifyOnNewVersion: false
refreshInterval: 1m
# No banner and no line per request: the cluster's terminal is for the platform's logs.
hideLogs: true
cors:
  cookieInsecure: true
  unsafeAllowAllOrigins: true
`;
}
