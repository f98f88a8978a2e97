// The Temporal server, its SQL schema tool and the Web UI server, built from their Go modules once per
// machine into a cache keyed by version (as scripts/temporal-cli.mjs does for the CLI). The server is
// the one the CLI v1.5.1 embeds, so the dev server and the cluster run the same Temporal.
import { cacheDir, ensureGoBinaries } from './go-build.mjs';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_UI_SERVER_VERSION = 'v2.42.1';

/** Resolves to { server, sqlTool, uiServer }: paths of executables. */
export async function ensureTemporalServer({ log = console.log } = {}) {
  const { 'temporal-server': server, 'temporal-sql-tool': sqlTool } = await ensureGoBinaries({
    dir: cacheDir('temporal-server', TEMPORAL_SERVER_VERSION),
    label: `the Temporal server ${TEMPORAL_SERVER_VERSION}`,
    binaries: [
      { name: 'temporal-server', install: `go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}` },
      { name: 'temporal-sql-tool', install: `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}` },
    ],
    log,
  });
  // The UI the CLI embeds, as its own server so it can face a remote frontend.
  const { 'temporal-ui-server': uiServer } = await ensureGoBinaries({
    dir: cacheDir('temporal-ui-server', TEMPORAL_UI_SERVER_VERSION),
    label: `the Temporal UI server ${TEMPORAL_UI_SERVER_VERSION}`,
    binaries: [{ name: 'temporal-ui-server', install: `github.com/temporalio/ui-server/v2/cmd/server@${TEMPORAL_UI_SERVER_VERSION}` }],
    log,
  });
  return { server, sqlTool, uiServer };
}
