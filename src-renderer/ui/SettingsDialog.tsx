import { type ReactNode, useEffect, useRef } from 'react';

/**
 * Settings over the window, modal: the rest of the window is inert meanwhile, Escape closes it,
 * and focus goes back to where it was (the browser's <dialog> does all three).
 */
export function SettingsDialog({ open, onClose, children }: { open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-label="Settings" className="settings-dialog" onClose={onClose}>
      {open ? children : null}
    </dialog>
  );
}
