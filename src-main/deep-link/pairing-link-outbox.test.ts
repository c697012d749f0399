import { describe, expect, it } from 'vitest';
import { PairingLinkOutbox } from './pairing-link-outbox.js';

function setup(windowTakes = true) {
  const sent: string[] = [];
  const outbox = new PairingLinkOutbox();
  outbox.connect((code) => {
    if (windowTakes) sent.push(code);
    return windowTakes;
  });
  return { outbox, sent };
}

describe('pairing link outbox', () => {
  it('keeps the latest code that came before the window listened, and answers it once', () => {
    const outbox = new PairingLinkOutbox();
    // Before `ready`: no window to send to yet.
    outbox.offer('427-orbit-velvet');
    outbox.offer('512-zoo-abandon');
    const sent: string[] = [];
    outbox.connect((code) => (sent.push(code), true));
    expect(outbox.listen()).toBe('512-zoo-abandon');
    expect(outbox.listen()).toBeNull();
    expect(sent).toEqual([]);
  });

  it('pushes codes to a listening window', () => {
    const { outbox, sent } = setup();
    expect(outbox.listen()).toBeNull();
    outbox.offer('427-orbit-velvet');
    expect(sent).toEqual(['427-orbit-velvet']);
    expect(outbox.listen()).toBeNull();
  });

  it('keeps codes while the page reloads, until it listens again', () => {
    const { outbox, sent } = setup();
    outbox.listen();
    outbox.stopListening();
    outbox.offer('427-orbit-velvet');
    expect(sent).toEqual([]);
    expect(outbox.listen()).toBe('427-orbit-velvet');
  });

  it('keeps a code the window could not take', () => {
    const { outbox, sent } = setup(false);
    outbox.listen();
    outbox.offer('427-orbit-velvet');
    expect(sent).toEqual([]);
    expect(outbox.listen()).toBe('427-orbit-velvet');
  });
});
