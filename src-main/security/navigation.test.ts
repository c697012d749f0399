import { describe, expect, it } from 'vitest';
import { isAllowedNavigation, isPermissionGranted } from './navigation.js';

const PACKAGED = 'file:///Applications/Ferry.app/Contents/Resources/app.asar/out/renderer/index.html';

describe('navigation and permissions', () => {
  it('keeps the window on the app', () => {
    expect(isAllowedNavigation(`${PACKAGED}#settings`, PACKAGED)).toBe(true);
    expect(isAllowedNavigation('https://example.org/', PACKAGED)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', PACKAGED)).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', PACKAGED)).toBe(false);
    expect(isAllowedNavigation('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });

  it('grants only what Ferry needs, only to the app', () => {
    expect(isPermissionGranted('notifications', PACKAGED, PACKAGED)).toBe(true);
    for (const permission of ['media', 'geolocation', 'openExternal', 'hid', 'serial', 'fullscreen']) {
      expect(isPermissionGranted(permission, PACKAGED, PACKAGED)).toBe(false);
    }
    expect(isPermissionGranted('notifications', 'https://evil.example/', PACKAGED)).toBe(false);
  });
});
