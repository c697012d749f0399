import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the CLI keeps this device (identity, settings, paired devices): the OS config folder's
 * "ferry-cli" — its own device, not the desktop app's (both may run on one computer at once).
 */
export function defaultConfigDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.FERRY_CONFIG_DIR) return env.FERRY_CONFIG_DIR;
  switch (platform) {
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Ferry CLI');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Ferry CLI');
    default:
      return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'ferry-cli');
  }
}
