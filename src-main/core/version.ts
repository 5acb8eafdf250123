/** The app's name and version, from package.json (bundled at build time). */
import pkg from '../../package.json' with { type: 'json' };

export const APP_NAME = 'Drive Lab';
export const APP_VERSION: string = pkg.version;
