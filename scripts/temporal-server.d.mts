export const TEMPORAL_SERVER_VERSION: string;
export const TEMPORAL_UI_SERVER_VERSION: string;
export function ensureTemporalServer(options?: { log?: (...parts: unknown[]) => void }): Promise<{ server: string; sqlTool: string; uiServer: string }>;
