import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.js';
import { UsageError } from './usage.js';

describe('parseCommandLine', () => {
  it('reads each command with its own options and the common ones', () => {
    expect(parseCommandLine(['send', 'a.txt', 'photos', '--json'])).toMatchObject({ command: 'send', paths: ['a.txt', 'photos'], to: undefined, common: { json: true, quiet: false } });
    expect(parseCommandLine(['send', '--to', 'Mira', 'a.txt'])).toMatchObject({ command: 'send', to: 'Mira', paths: ['a.txt'] });
    expect(parseCommandLine(['receive', '427-orbit-velvet', '--dir', '/tmp/x', '--signal', 'http://s:9000/'])).toMatchObject({
      command: 'receive',
      code: '427-orbit-velvet',
      dir: '/tmp/x',
      common: { signal: 'http://s:9000/' },
    });
    expect(parseCommandLine(['receive'])).toMatchObject({ command: 'receive', code: undefined });
    expect(parseCommandLine(['pair', '--config-dir', '/c'])).toMatchObject({ command: 'pair', code: undefined, common: { configDir: '/c' } });
    expect(parseCommandLine(['devices', '--wait', '0.5'])).toMatchObject({ command: 'devices', waitMs: 500 });
    expect(parseCommandLine(['listen'])).toMatchObject({ command: 'listen', accept: 'paired' });
    expect(parseCommandLine(['listen', '--accept', 'ask'])).toMatchObject({ command: 'listen', accept: 'ask' });
  });

  it('answers help for no command, --help, and help <command>', () => {
    expect(parseCommandLine([])).toEqual({ command: 'help', topic: undefined });
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help', topic: undefined });
    expect(parseCommandLine(['help', 'send'])).toEqual({ command: 'help', topic: 'send' });
    expect(parseCommandLine(['receive', '-h'])).toEqual({ command: 'help', topic: 'receive' });
  });

  it('refuses what it cannot run, in words', () => {
    const refused = (argv: string[]) => {
      try {
        parseCommandLine(argv);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(refused(['fly'])).toBe('"fly" is not a ferry command.');
    expect(refused(['send'])).toBe('Name at least one file or folder to send.');
    expect(refused(['receive', 'a', 'b'])).toBe('Too many arguments: b');
    expect(refused(['receive', '--bogus'])).toMatch(/bogus/);
    expect(refused(['send', '--to'])).toMatch(/--to/);
    expect(refused(['listen', '--accept', 'all'])).toBe('--accept takes "paired" or "ask".');
    expect(refused(['devices', '--wait', 'soon'])).toMatch(/--wait/);
  });
});
