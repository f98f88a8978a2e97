/** The server's run-time settings for the pages: map tiles, and whether search and routing are backed by providers. */
import { api, type PageConfig } from '../lib/api.js';

class PageSettings {
  map = $state<PageConfig['map']>({ tileUrl: null, attribution: '', maxZoom: 19 });
  geocoder = $state(false);
  router = $state(false);
  private loading: Promise<void> | null = null;

  /** Loads once per tab; a failure leaves the plain grid maps, and the next call tries again. */
  load(): Promise<void> {
    this.loading ??= api
      .config()
      .then((config) => {
        this.map = config.map;
        this.geocoder = config.geocoder;
        this.router = config.router;
      })
      .catch(() => {
        this.loading = null;
      });
    return this.loading;
  }
}

export const pageSettings = new PageSettings();
