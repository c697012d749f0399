import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { newRow } from '../../src-engine/state/conversation.js';
import { Output } from './output.js';
import { endedEvent } from './transfer-event.js';

function stream(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { isTTY: boolean; text: () => string };
  s.isTTY = isTTY;
  s.text = () => chunks.join('');
  return s;
}

const row = (state: 'active' | 'done' | 'failed', bytesDone = 0) => ({
  ...newRow('in-1', 'in', [{ path: 'a.bin', kind: 'file' as const, size: 1000, mtime: 0 }], 'a.bin', 1, 1000),
  state,
  bytesDone,
  error: state === 'failed' ? 'Bo sent data Ferry could not accept.' : undefined,
  savedPaths: state === 'done' ? ['/in/a.bin'] : [],
});

describe('Output', () => {
  it('chooses JSON for --json, plain when piped or --quiet, bars only on a terminal', () => {
    expect(Output.choose({ json: true, quiet: false }, { stdout: stream(true), stderr: stream(true) }).mode).toBe('json');
    expect(Output.choose({ json: false, quiet: true }, { stdout: stream(true), stderr: stream(true) }).mode).toBe('plain');
    expect(Output.choose({ json: false, quiet: false }, { stdout: stream(true), stderr: stream(false) }).mode).toBe('plain');
    expect(Output.choose({ json: false, quiet: false }, { stdout: stream(false), stderr: stream(true) }).mode).toBe('tty');
  });

  it('in JSON mode: stdout holds only JSON lines, progress at most every 250 ms, status words nowhere', () => {
    const stdout = stream(false);
    const stderr = stream(false);
    let now = 0;
    const output = new Output('json', { stdout, stderr }, () => now);
    output.status('Connecting…');
    output.result('Code: 1-a-b', { event: 'code', code: '1-a-b' });
    output.transfer('Bo', row('active', 100));
    now = 100;
    output.transfer('Bo', row('active', 200));
    now = 300;
    output.transfer('Bo', row('active', 300));
    const done = row('done', 1000);
    output.transferEnded(endedEvent('Bo', done) as NonNullable<ReturnType<typeof endedEvent>>, done);
    output.error('It broke.', 'X');
    const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(['code', 'progress', 'progress', 'done', 'error']);
    expect(lines.map((l) => l.bytesDone).filter((b) => b !== undefined)).toEqual([100, 300, 1000]);
    expect(lines[3]).toMatchObject({ direction: 'receive', device: 'Bo', savedPaths: ['/in/a.bin'] });
    expect(lines[4]).toEqual({ event: 'error', code: 'X', message: 'It broke.' });
    expect(stderr.text()).toBe('');
  });

  it('plain: results on stdout, what it is doing and errors on stderr, no progress drawn', () => {
    const stdout = stream(false);
    const stderr = stream(false);
    const output = new Output('plain', { stdout, stderr });
    output.status('Connecting…');
    output.transfer('Bo', row('active', 100));
    output.result('Received, verified:', { event: 'received' });
    output.error('It broke.', 'X');
    expect(stdout.text()).toBe('Received, verified:\n');
    expect(stderr.text()).toBe('Connecting…\nferry: It broke.\n');
  });

  it('a failed transfer says why, in the words the engine gave', () => {
    expect(endedEvent('Bo', row('failed'))).toMatchObject({ event: 'failed', message: 'Bo sent data Ferry could not accept.' });
    expect(endedEvent('Bo', row('active'))).toBeUndefined();
  });
});
