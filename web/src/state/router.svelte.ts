/** A tiny history-API router: the current path and query as state, links intercepted in one place. */

export class RouterState {
  path = $state(location.pathname);
  search = $state(location.search);

  constructor() {
    addEventListener('popstate', () => this.sync());
  }

  get query(): URLSearchParams {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- derived afresh from the reactive `search` on each read
    return new URLSearchParams(this.search);
  }

  navigate(to: string, options: { replace?: boolean } = {}): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once to resolve the target
    const url = new URL(to, location.href);
    if (url.origin !== location.origin) {
      location.assign(url.href);
      return;
    }
    history[options.replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search + url.hash);
    this.sync();
    if (!options.replace) scrollTo(0, 0);
  }

  /** Same-origin left clicks on plain links become client-side navigations. */
  interceptLinks(root: HTMLElement): () => void {
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const a = (event.target as Element | null)?.closest?.('a');
      if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
      if (a.pathname.startsWith('/api/')) return;
      event.preventDefault();
      this.navigate(a.pathname + a.search + a.hash);
    };
    root.addEventListener('click', onClick);
    return () => root.removeEventListener('click', onClick);
  }

  private sync(): void {
    this.path = location.pathname;
    this.search = location.search;
  }
}

export interface RouteMatch {
  name: 'home' | 'login' | 'dispatch' | 'driver' | 'customer' | 'organization' | 'track' | 'not-found';
  params: Record<string, string>;
}

export function matchRoute(path: string): RouteMatch {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/') return { name: 'home', params: {} };
  const track = /^\/track\/([^/]+)$/.exec(clean);
  if (track) return { name: 'track', params: { code: decodeURIComponent(track[1]!) } };
  const fixed = ['login', 'dispatch', 'driver', 'customer', 'organization'] as const;
  const name = fixed.find((n) => clean === `/${n}`);
  return name ? { name, params: {} } : { name: 'not-found', params: {} };
}

export const router = new RouterState();
