import { describe, expect, it } from 'vitest';
import { defaultConfigDir } from './config-dir.js';

describe('defaultConfigDir', () => {
  it('follows each OS convention, and FERRY_CONFIG_DIR over all of them', () => {
    expect(defaultConfigDir({}, 'linux', '/home/ada')).toBe('/home/ada/.config/ferry-cli');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ada')).toBe('/cfg/ferry-cli');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '' }, 'linux', '/home/ada')).toBe('/home/ada/.config/ferry-cli');
    expect(defaultConfigDir({}, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Application Support/Ferry CLI');
    expect(defaultConfigDir({ FERRY_CONFIG_DIR: '/elsewhere' }, 'linux', '/home/ada')).toBe('/elsewhere');
  });
});
