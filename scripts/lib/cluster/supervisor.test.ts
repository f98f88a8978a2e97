import { describe, expect, it } from 'vitest';
import { supervise } from './supervisor.js';

describe('the cluster supervisor', () => {
  it('starts a program that exits again, after a backoff that doubles, its lines named', async () => {
    const lines: string[] = [];
    const started = Date.now();
    const program = supervise({ name: 'flaky', command: process.execPath, args: ['-e', 'console.log("up"); process.exit(3)'] }, (name, line) => lines.push(`${name}|${line}`));
    try {
      await expect.poll(() => program.restarts, { timeout: 10_000, interval: 100 }).toBe(2);
      // 1 s, then 2 s between the three starts.
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
      expect(lines.filter((l) => l === 'flaky|up').length).toBeGreaterThanOrEqual(2);
      expect(lines).toContain('flaky|exited (code 3); starting it again in 1 s');
      expect(lines).toContain('flaky|exited (code 3); starting it again in 2 s');
    } finally {
      await program.stop();
    }
  });

  it('stops a running program with SIGTERM and does not start it again', async () => {
    const lines: string[] = [];
    const program = supervise({ name: 'steady', command: process.execPath, args: ['-e', 'console.log("up"); setInterval(() => {}, 1000)'] }, (_, line) => lines.push(line));
    await expect.poll(() => lines.includes('up'), { timeout: 10_000 }).toBe(true);
    const pid = program.pid!;
    await program.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await new Promise((r) => setTimeout(r, 1500));
    expect(program.restarts).toBe(0);
    expect(lines.some((l) => l.startsWith('exited'))).toBe(false);
  });

  it('replaces a running program: SIGTERM to the old one, then the new spec under the same name', async () => {
    const lines: string[] = [];
    const spec = (word: string) => ({ name: 'swapped', command: process.execPath, args: ['-e', `console.log("${word}"); process.on("SIGTERM", () => { console.log("drained ${word}"); process.exit(0); }); setInterval(() => {}, 1000)`] });
    const program = supervise(spec('old'), (_, line) => lines.push(line));
    try {
      await expect.poll(() => lines.includes('old'), { timeout: 10_000 }).toBe(true);
      const oldPid = program.pid!;
      await program.replace(spec('new'));
      expect(lines).toContain('drained old');
      expect(() => process.kill(oldPid, 0)).toThrow();
      await expect.poll(() => lines.includes('new'), { timeout: 10_000 }).toBe(true);
      expect(program.pid).not.toBe(oldPid);
      expect(program.spec.args[1]).toContain('"new"');
      expect(program.restarts).toBe(0);
      expect(lines.some((l) => l.startsWith('exited'))).toBe(false);
    } finally {
      await program.stop();
    }
  });
});
