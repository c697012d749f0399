import { describe, expect, it } from 'vitest';
import { trayMenuTemplate } from './tray-menu.js';

describe('tray menu', () => {
  it('lists the last five transfers, newest first, then Open and Quit', () => {
    const recent = Array.from({ length: 7 }, (_, i) => ({ title: `file${i}.bin`, peerName: 'Bob', direction: i % 2 ? ('in' as const) : ('out' as const), state: 'done' as const }));
    const menu = trayMenuTemplate(recent);
    expect(menu.filter((m) => m.kind === 'item' && !m.enabled).map((m) => (m as { label: string }).label)).toEqual([
      '↑ file0.bin to Bob — done',
      '↓ file1.bin from Bob — done',
      '↑ file2.bin to Bob — done',
      '↓ file3.bin from Bob — done',
      '↑ file4.bin to Bob — done',
    ]);
    expect(menu.slice(-3)).toEqual([
      { kind: 'separator' },
      { kind: 'item', label: 'Open Ferry', enabled: true, action: 'open' },
      { kind: 'item', label: 'Quit Ferry', enabled: true, action: 'quit' },
    ]);
  });

  it('says so when there is nothing yet', () => {
    expect(trayMenuTemplate([])[0]).toEqual({ kind: 'item', label: 'No transfers yet', enabled: false });
  });
});
