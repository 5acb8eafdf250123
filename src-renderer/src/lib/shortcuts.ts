/**
 * Keyboard shortcuts: one table used both to handle keys and to document them in the help
 * overlay. Letters only fire without Ctrl/Cmd/Alt and never while typing in a field. The
 * arrow keys and W/A/S/D are left free for driving the car by hand (manual takeover, in the
 * Live view of a lane run; Escape hands the car back).
 */
export type ShortcutAction =
  | 'help'
  | 'new-run'
  | 'focus-filter'
  | 'next-run'
  | 'previous-run'
  | 'all-runs'
  | 'cycle-theme'
  | 'toggle-training'
  | 'stop'
  | 'evaluate'
  | 'toggle-speed'
  | 'rename'
  | 'duplicate'
  | 'reseed'
  | 'delete'
  | 'export'
  | 'tab-curves'
  | 'tab-live'
  | 'tab-disengagements'
  | 'tab-config'
  | 'tab-pipeline';

export interface Shortcut {
  action: ShortcutAction;
  /** As shown in the help overlay. */
  keys: string[];
  /** KeyboardEvent.key values that trigger it ("S" is Shift+S). */
  match: string[];
  description: string;
  group: 'General' | 'Training' | 'Run' | 'View';
}

export const SHORTCUTS: Shortcut[] = [
  { action: 'help', keys: ['?'], match: ['?'], description: 'Show or hide this help', group: 'General' },
  { action: 'new-run', keys: ['N'], match: ['n'], description: 'New run', group: 'General' },
  { action: 'focus-filter', keys: ['/'], match: ['/'], description: 'Find a run', group: 'General' },
  { action: 'next-run', keys: ['J'], match: ['j'], description: 'Open the next run in the list', group: 'General' },
  { action: 'previous-run', keys: ['K'], match: ['k'], description: 'Open the previous run in the list', group: 'General' },
  { action: 'all-runs', keys: ['G'], match: ['g'], description: 'All runs (table)', group: 'General' },
  { action: 'cycle-theme', keys: ['T'], match: ['t'], description: 'Theme: system → light → dark', group: 'General' },
  { action: 'toggle-training', keys: ['Space'], match: [' '], description: 'Start, pause or resume training', group: 'Training' },
  { action: 'stop', keys: ['X'], match: ['x'], description: 'Stop training (writes a checkpoint)', group: 'Training' },
  { action: 'evaluate', keys: ['E'], match: ['e'], description: 'Evaluate now', group: 'Training' },
  { action: 'toggle-speed', keys: ['F'], match: ['f'], description: 'Speed: real time ↔ as fast as possible', group: 'Training' },
  { action: 'rename', keys: ['R', 'F2'], match: ['r', 'F2'], description: 'Rename the run', group: 'Run' },
  { action: 'duplicate', keys: ['C'], match: ['c'], description: 'Duplicate with changes', group: 'Run' },
  { action: 'reseed', keys: ['Shift', 'S'], match: ['S'], description: 'Train again with another seed', group: 'Run' },
  { action: 'delete', keys: ['Delete'], match: ['Delete'], description: 'Delete the run (asks first)', group: 'Run' },
  { action: 'tab-curves', keys: ['1'], match: ['1'], description: 'Curves', group: 'View' },
  { action: 'tab-live', keys: ['2'], match: ['2'], description: 'Live view', group: 'View' },
  { action: 'tab-disengagements', keys: ['3'], match: ['3'], description: 'Disengagements', group: 'View' },
  { action: 'tab-config', keys: ['4'], match: ['4'], description: 'Config', group: 'View' },
  { action: 'tab-pipeline', keys: ['5'], match: ['5'], description: 'Pipeline (drive runs)', group: 'View' },
  { action: 'export', keys: ['P'], match: ['p'], description: 'Export the policy', group: 'Run' },
];

const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
const ACTIVATES_ON_KEY = new Set(['BUTTON', 'A', 'SUMMARY']);

/** The shortcut a key press means here, or undefined (typing in a field, modifiers, …). */
export function shortcutFor(e: KeyboardEvent): Shortcut | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || e.defaultPrevented) return undefined;
  const target = e.target instanceof HTMLElement ? e.target : null;
  // A switch or a radio (the theme switch after a click) takes no text: letters and digits stay
  // shortcuts there; Space and the arrows stay theirs.
  const choice = target instanceof HTMLInputElement && (target.type === 'checkbox' || target.type === 'radio');
  if (choice && (e.key === ' ' || e.key.startsWith('Arrow'))) return undefined;
  if (target && !choice && (TYPING.has(target.tagName) || target.isContentEditable)) return undefined;
  // Space and Enter on a focused button press that button, not a shortcut.
  if (target && (e.key === ' ' || e.key === 'Enter') && (ACTIVATES_ON_KEY.has(target.tagName) || target.getAttribute('role') === 'button')) return undefined;
  return SHORTCUTS.find((s) => s.match.includes(e.key));
}

export function ariaKeys(action: ShortcutAction): string {
  const s = SHORTCUTS.find((x) => x.action === action);
  if (!s) return '';
  if (s.keys[0] === 'Shift') return `Shift+${s.keys.slice(1).join('')}`;
  return s.keys.join(' ');
}
