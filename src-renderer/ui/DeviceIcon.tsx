import type { DeviceKind } from '../../src-core/index';

/** What a device runs Ferry as, in words (its details say it; the icon draws it). */
export const KIND_WORDS: Record<DeviceKind, string> = { desktop: 'the desktop app', cli: 'the command line', browser: 'a browser page' };

/** The kind of device, drawn (decorative: the tile says the rest in words). Unknown: a plain box. */
export function DeviceIcon({ kind }: { kind: DeviceKind | undefined }) {
  const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 1.8, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const };
  return (
    <svg className="device-icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false" data-kind={kind ?? 'unknown'}>
      {kind === 'desktop' ? (
        <>
          <rect x="3" y="4" width="18" height="12" rx="1.5" {...stroke} />
          <path d="M8 20h8M12 16v4" {...stroke} />
        </>
      ) : kind === 'cli' ? (
        <>
          <rect x="3" y="4" width="18" height="16" rx="1.5" {...stroke} />
          <path d="M7 10l3 2-3 2M12 15h5" {...stroke} />
        </>
      ) : kind === 'browser' ? (
        <>
          <rect x="3" y="4" width="18" height="16" rx="1.5" {...stroke} />
          <path d="M3 8h18M6 6h.01M8.5 6h.01" {...stroke} />
        </>
      ) : (
        <rect x="5" y="5" width="14" height="14" rx="3" {...stroke} />
      )}
    </svg>
  );
}
