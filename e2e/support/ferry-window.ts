import type { Locator, Page } from 'playwright-core';

/**
 * Where things are in Ferry's window, by the roles and names a person (or a screen reader) finds
 * them: a device's tile in the grid, the one transfers view, a device's conversation panel.
 */
export function tile(page: Page, name: string): Locator {
  return page.getByRole('article', { name: `Device ${name}`, exact: true });
}

/** The transfers view: every transfer of this run, across devices. */
export function transfers(page: Page): Locator {
  return page.getByRole('list', { name: 'Transfers', exact: true });
}

/** One transfer in the transfers view: `movie.bin to Bob`, `movie.bin from Alice`. */
export function transferRow(page: Page, title: string, direction: 'to' | 'from', name: string): Locator {
  return transfers(page).getByRole('listitem', { name: `${title} ${direction} ${name}`, exact: true });
}

/** Opens the device's messages from its tile (unless open) and returns the conversation panel. */
export async function openConversation(page: Page, name: string): Promise<Locator> {
  const toggle = tile(page, name).getByRole('button', { name: `Messages with ${name}` });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  return page.getByRole('region', { name: `Conversation with ${name}`, exact: true });
}

/** Opens the device's details from its tile (unless open): its id, key words, rename, unpair. */
export async function openDetails(page: Page, name: string): Promise<Locator> {
  const toggle = tile(page, name).getByRole('button', { name: `Details of ${name}` });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  return page.getByRole('group', { name: `Details of ${name}`, exact: true });
}

/**
 * Everything the window shows of one device: its tile (with its details and conversation when
 * opened) and its rows in the transfers view — what a person looks at to follow that device.
 */
export function deviceView(page: Page, name: string): Locator {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return tile(page, name).or(transfers(page).getByRole('listitem', { name: new RegExp(` (to|from) ${escaped}$`) }));
}
