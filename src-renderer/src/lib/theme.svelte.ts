/**
 * Light and dark themes: follow the system (prefers-color-scheme) unless the user picks one;
 * the choice is kept in localStorage. The resolved theme is written to <html data-theme>.
 */
export type ThemePref = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'drive-lab.theme';
const ORDER: ThemePref[] = ['system', 'light', 'dark'];

function loadPref(): ThemePref {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
  } catch {
    return 'system';
  }
}

export class ThemeState {
  pref = $state<ThemePref>(loadPref());
  system = $state<Theme>('light');
  readonly resolved: Theme = $derived(this.pref === 'system' ? this.system : this.pref);

  constructor() {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    this.system = mq.matches ? 'dark' : 'light';
    mq.addEventListener('change', (e) => {
      this.system = e.matches ? 'dark' : 'light';
      this.apply();
    });
    this.apply();
  }

  set(pref: ThemePref): void {
    this.pref = pref;
    try {
      localStorage.setItem(STORAGE_KEY, pref);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    this.apply();
  }

  /** system -> light -> dark -> system. */
  cycle(): ThemePref {
    const next = ORDER[(ORDER.indexOf(this.pref) + 1) % ORDER.length]!;
    this.set(next);
    return next;
  }

  private apply(): void {
    const root = document.documentElement;
    const theme = this.pref === 'system' ? this.system : this.pref;
    root.dataset.theme = theme;
    root.style.colorScheme = theme;
  }
}
