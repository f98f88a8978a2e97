/**
 * The alert rules, checked by Prometheus's own tool: `promtool check rules` on deploy/prometheus/alerts.yml and
 * `promtool test rules` on its unit tests, and that every rule has a case where it fires and one where it stays quiet.
 * `.ci/run` installs promtool (Debian's prometheus package) when it is missing.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..');
const dir = path.join(root, 'deploy', 'prometheus');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const execFileP = promisify(execFile);

async function tool(command: 'promtool' | 'amtool', args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileP(command, args, { cwd: root });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { code: number | string; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') throw new Error(`${command} is not installed: apt-get install -y prometheus prometheus-alertmanager (.ci/run does this)`, { cause: error });
    return { code: Number(failure.code), output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}
const promtool = (...args: string[]) => tool('promtool', args);

interface Rule {
  alert: string;
  expr: string;
}
interface RuleTest {
  alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }>;
}
const rules = (parse(read('deploy/prometheus/alerts.yml')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const unitTests = (parse(read('deploy/prometheus/alerts.test.yml')) as { tests: RuleTest[] }).tests.flatMap((t) => t.alert_rule_test);

describe('alert rules (deploy/prometheus/alerts.yml)', () => {
  it('are valid rules and pass their unit tests', async () => {
    const check = await promtool('check', 'rules', path.join(dir, 'alerts.yml'));
    expect(check.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(check.code).toBe(0);
    const test = await promtool('test', 'rules', path.join(dir, 'alerts.test.yml'));
    expect(test.output).toContain('SUCCESS');
    expect(test.code).toBe(0);
  });

  it('cover what the success metrics and the fault runs need, each shown firing and staying quiet', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        'ApiErrorRatioHigh', 'ApiLatencyP95High', 'TargetDown', 'PostgresDown', 'RedisDown', 'WorkflowTaskFailures',
        'TemporalWorkflowTaskFailures', 'TemporalHistoryTaskErrors', 'ActivityScheduleToStartSlow', 'TaskQueueBacklogOld',
        'DeliveryActivityFailingRepeatedly', 'DeliveryWriteRefused', 'QueueDeadLetters', 'QueueJobsWaitingTooLong', 'QueueJobsPilingUp',
        'ProcessRestarted', 'RedisConnectionLost', 'DatabaseConnectionLost', 'AiModelFailing',
      ].sort(),
    );
    for (const { alert } of rules) {
      const cases = unitTests.filter((t) => t.alertname === alert);
      expect(cases.some((t) => t.exp_alerts.length > 0), `${alert} is never shown firing`).toBe(true);
      expect(cases.some((t) => t.exp_alerts.length === 0), `${alert} is never shown quiet`).toBe(true);
    }
  });

  it('fail their unit tests when a threshold moves: the tests hold the rules to the targets', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'alerts-'));
    await copyFile(path.join(dir, 'alerts.test.yml'), path.join(scratch, 'alerts.test.yml'));
    // The 0.1 % error budget loosened tenfold.
    await writeFile(path.join(scratch, 'alerts.yml'), read('deploy/prometheus/alerts.yml').replace('> 0.001', '> 0.01'));
    const test = await promtool('test', 'rules', path.join(scratch, 'alerts.test.yml'));
    expect(test.code).not.toBe(0);
    expect(test.output).toContain('alertname: ApiErrorRatioHigh');
  });

  it('read metrics this project exports, under the names it exports them', () => {
    const exported = ['api/metrics.ts', 'adapters/queue-metrics.ts', 'worker/queue-processors.ts', 'worker/telemetry.ts', 'worker/activity-guard.ts'].map(read).join('\n');
    const exprs = rules.map((r) => r.expr).join('\n');
    for (const name of ['http_requests_total', 'http_request_duration_seconds', 'dependency_up', 'queue_redis_up', 'queue_jobs', 'queue_oldest_waiting_seconds', 'delivery_activity_stuck_total', 'delivery_activity_data_rejected_total']) {
      expect(exprs, name).toContain(name);
      expect(exported, name).toContain(`name: '${name}'`);
    }
  });

  it('are loaded by Prometheus, which sends them to the Alertmanager that docker-compose.yml runs', () => {
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    };
    expect(prometheus.rule_files).toEqual(['alerts.yml']);
    expect(prometheus.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
    const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { volumes?: string[]; command?: string[] }> };
    expect(compose.services.prometheus!.volumes).toContain('./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');
    expect(compose.services.alertmanager!.volumes).toContain('./deploy/alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro');
  });

  it('reach receivers through an Alertmanager config that amtool accepts, with every inhibited alert a real rule', async () => {
    const check = await tool('amtool', ['check-config', path.join(root, 'deploy', 'alertmanager', 'alertmanager.yml')]);
    expect(check.output).toContain('SUCCESS');
    expect(check.code).toBe(0);
    const config = parse(read('deploy/alertmanager/alertmanager.yml')) as { inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[] }> };
    const names = new Set(rules.map((r) => r.alert));
    for (const rule of config.inhibit_rules) {
      for (const matcher of [...rule.source_matchers, ...rule.target_matchers]) {
        for (const name of /alertname=~?"([^"]+)"/.exec(matcher)![1]!.split('|')) expect(names, name).toContain(name);
      }
    }
  });
});
