import type { RecentTransfer } from '../preload/api.js';

/** One line of the tray menu: plain data, turned into Electron's MenuItems by the glue. */
export type TrayMenuItem = { kind: 'item'; label: string; enabled: boolean; action?: 'open' | 'quit' } | { kind: 'separator' };

const STATE_WORDS: Record<RecentTransfer['state'], string> = {
  active: 'in progress',
  interrupted: 'interrupted',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  declined: 'declined',
};

/** The tray's menu: the last transfers (newest first), then "Open Ferry" and "Quit Ferry". */
export function trayMenuTemplate(recent: readonly RecentTransfer[]): TrayMenuItem[] {
  const items: TrayMenuItem[] = recent.slice(0, 5).map((t) => ({
    kind: 'item',
    label: `${t.direction === 'in' ? '↓' : '↑'} ${t.title} ${t.direction === 'in' ? 'from' : 'to'} ${t.peerName} — ${STATE_WORDS[t.state]}`.slice(0, 120),
    enabled: false,
  }));
  if (items.length === 0) items.push({ kind: 'item', label: 'No transfers yet', enabled: false });
  return [...items, { kind: 'separator' }, { kind: 'item', label: 'Open Ferry', enabled: true, action: 'open' }, { kind: 'item', label: 'Quit Ferry', enabled: true, action: 'quit' }];
}
