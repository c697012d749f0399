import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';
import { EXIT } from './usage.js';

function terminalIo(argv: string[], interrupt: AbortSignal) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  let said = '';
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  stderr.on('data', (chunk: Buffer) => (said += chunk.toString()));
  const stdout = Object.assign(new PassThrough(), { isTTY: true });
  return { io: { argv, stdin, stdout, stderr, interrupt, version: '0.0.0-test' }, said: () => said };
}

describe('runCli at a terminal', () => {
  it('asks nothing once Ctrl-C was pressed: no prompt opens, the run ends cancelled (130)', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const { io, said } = terminalIo(['receive'], interrupt.signal);
    expect(await runCli(io)).toBe(EXIT.interrupted);
    expect(said()).not.toContain('Code:');
  });

  it('Ctrl-C at the code prompt cancels it (130)', async () => {
    const interrupt = new AbortController();
    const { io, said } = terminalIo(['receive'], interrupt.signal);
    const run = runCli(io);
    await expect.poll(said).toContain('Code: ');
    interrupt.abort();
    expect(await run).toBe(EXIT.interrupted);
  });
});
