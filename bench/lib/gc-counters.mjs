// Preloaded into a process under test by `npm run bench -- --gc api,worker`: counts the HTTP requests
// it answers and its garbage collections, and writes both to $BENCH_GC_OUT when it exits, so a run
// can say how much collection each request cost.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { PerformanceObserver, constants } from 'node:perf_hooks';

const out = process.env.BENCH_GC_OUT;
if (out) {
  const counts = { requests: 0, minor: { count: 0, ms: 0 }, major: { count: 0, ms: 0 } };
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function countRequests(event, ...args) {
    if (event === 'request') counts.requests += 1;
    return emit.call(this, event, ...args);
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? counts.minor : counts.major;
      kind.count += 1;
      kind.ms += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('exit', () => writeFileSync(out, JSON.stringify(counts)));
}
