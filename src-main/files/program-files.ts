import { extname } from 'node:path';

/**
 * What a desktop runs, installs or mounts when it is "opened": Windows, macOS and Linux. Opening
 * a received one with a click would run a stranger's code, so Ferry shows it in its folder.
 */
const PROGRAM_EXTENSIONS = new Set([
  // Windows
  'exe', 'com', 'bat', 'cmd', 'msi', 'msp', 'msix', 'appx', 'appxbundle', 'scr', 'pif', 'cpl', 'ps1', 'psm1', 'psd1', 'vb', 'vbs', 'vbe',
  'js', 'jse', 'wsf', 'wsh', 'hta', 'lnk', 'url', 'scf', 'reg', 'inf', 'msc', 'gadget', 'application', 'appref-ms', 'settingcontent-ms', 'library-ms',
  // macOS
  'app', 'command', 'tool', 'pkg', 'mpkg', 'dmg', 'terminal', 'workflow', 'scpt', 'applescript', 'webloc', 'fileloc', 'inetloc',
  // Linux and everywhere
  'sh', 'bash', 'zsh', 'csh', 'ksh', 'fish', 'run', 'bin', 'desktop', 'appimage', 'flatpakref', 'deb', 'rpm', 'snap', 'jar', 'py', 'pyw', 'pl', 'rb', 'php',
]);

export function isProgram(path: string): boolean {
  return PROGRAM_EXTENSIONS.has(extname(path).slice(1).toLowerCase());
}
