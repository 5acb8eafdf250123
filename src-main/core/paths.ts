/** Default locations: the runs folder lives in the user's data folder unless overridden. */
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'drive-lab';

/** The user's per-app data folder (what Electron's app.getPath('userData') gives, without Electron). */
export function userDataDir(): string {
  const home = homedir();
  switch (platform()) {
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
    case 'darwin':
      return join(home, 'Library', 'Application Support', APP_DIR_NAME);
    default:
      return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), APP_DIR_NAME);
  }
}

/** Runs folder: explicit option, then $DRIVE_LAB_RUNS_DIR, then <user data>/runs. */
export function defaultRunsDir(explicit?: string): string {
  return explicit ?? process.env.DRIVE_LAB_RUNS_DIR ?? join(userDataDir(), 'runs');
}
