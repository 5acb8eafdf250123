/**
 * Where the user is, kept in the URL hash so a reload (or a second window) opens the same
 * view: #/ (runs), #/new, #/new/drive (the drive pipeline template), #/duplicate/<id>, #/runs/<id>[/<tab>][?compare=a,b].
 */
/** Tabs of a run; 'pipeline' is shown only for drive pipeline runs. */
export const RUN_TABS = ['curves', 'live', 'disengagements', 'config', 'pipeline'] as const;
export type RunTab = (typeof RUN_TABS)[number];

export type Route =
  { name: 'home' } | { name: 'new'; template?: 'drive' } | { name: 'duplicate'; id: string } | { name: 'run'; id: string; tab: RunTab; compare: string[] };

export function parseRoute(hash: string): Route {
  const [pathPart, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = (pathPart ?? '').split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts[0] === 'new') return parts[1] === 'drive' ? { name: 'new', template: 'drive' } : { name: 'new' };
  if (parts[0] === 'duplicate' && parts[1]) return { name: 'duplicate', id: parts[1] };
  if (parts[0] === 'runs' && parts[1]) {
    const tab = (RUN_TABS as readonly string[]).includes(parts[2] ?? '') ? (parts[2] as RunTab) : 'curves';
    const compare = (params.get('compare') ?? '').split(',').filter(Boolean);
    return { name: 'run', id: parts[1], tab, compare };
  }
  return { name: 'home' };
}

export function formatRoute(r: Route): string {
  switch (r.name) {
    case 'home':
      return '#/';
    case 'new':
      return r.template ? `#/new/${r.template}` : '#/new';
    case 'duplicate':
      return `#/duplicate/${encodeURIComponent(r.id)}`;
    case 'run': {
      const q = r.compare.length ? `?compare=${r.compare.map(encodeURIComponent).join(',')}` : '';
      return `#/runs/${encodeURIComponent(r.id)}/${r.tab}${q}`;
    }
  }
}

export class Router {
  route = $state<Route>(parseRoute(location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.route = parseRoute(location.hash);
    });
  }

  go(r: Route, replace = false): void {
    const hash = formatRoute(r);
    if (location.hash !== hash) {
      if (replace) history.replaceState(null, '', hash);
      else history.pushState(null, '', hash);
    }
    this.route = r;
  }
}
