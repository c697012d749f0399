/*
 * node --import tsx --import ./e2e/support/electron-stand-in/register.ts out/main/index.js
 *
 * A resolve hook (Node's module.register) that answers `electron` with the stand-in
 * (fake-electron.ts), so the built main bundle runs under plain Node. Nothing else changes: every
 * other import resolves as Node would resolve it.
 */
import { register } from 'node:module';

const FAKE_ELECTRON = new URL('./fake-electron.ts', import.meta.url).href;

const hooks = `
export async function resolve(specifier, context, nextResolve) {
  // Resolved on down the chain, so that tsx (registered before) loads the TypeScript file.
  if (specifier === 'electron') return nextResolve(${JSON.stringify(FAKE_ELECTRON)}, context);
  return nextResolve(specifier, context);
}
`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`);
