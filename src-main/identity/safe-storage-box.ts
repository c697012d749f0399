import { safeStorage } from 'electron';
import type { SecretBox } from './identity-store.js';

/** The OS key store through Electron (Keychain, DPAPI, libsecret); undefined where it is not available. */
export function safeStorageBox(): SecretBox | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    kind: 'electron-safe-storage',
    encrypt: (plain) => new Uint8Array(safeStorage.encryptString(Buffer.from(plain).toString('base64'))),
    decrypt: (sealed) => new Uint8Array(Buffer.from(safeStorage.decryptString(Buffer.from(sealed)), 'base64')),
  };
}
