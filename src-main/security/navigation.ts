/** The window never leaves the app: any navigation to another URL is refused. */
export function isAllowedNavigation(targetUrl: string, rendererUrl: string): boolean {
  try {
    const target = new URL(targetUrl);
    const home = new URL(rendererUrl);
    if (home.protocol === 'file:') return target.protocol === 'file:' && target.pathname === home.pathname;
    return target.origin === home.origin;
  } catch {
    return false;
  }
}

/** Permissions Ferry's renderer needs. Everything else (camera, geolocation, ...) is denied. */
const GRANTED_PERMISSIONS = new Set(['clipboard-sanitized-write', 'notifications']);

export function isPermissionGranted(permission: string, requestingUrl: string, rendererUrl: string): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAllowedNavigation(requestingUrl, rendererUrl);
}
