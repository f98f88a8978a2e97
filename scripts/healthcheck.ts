/** Container health check without curl in the image: `node dist/scripts/healthcheck.js <url>` exits 0 on HTTP 200. */
const url = process.argv[2];
if (!url) {
  console.error('usage: healthcheck <url>');
  process.exit(2);
}
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (res.status !== 200) console.error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  process.exit(res.status === 200 ? 0 : 1);
} catch (error) {
  console.error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
