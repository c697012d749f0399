import { type DragEvent, useState } from 'react';

/**
 * A drop target for files and folders (dropped as they are: the engine walks folders, empty ones
 * included). `enabled` false: drops are not taken, and the window's own handler ignores them.
 */
export function useFileDrop(enabled: boolean, onFiles: (files: File[]) => void) {
  const [hover, setHover] = useState(false);
  const handlers = {
    onDragOver: (event: DragEvent<HTMLElement>) => {
      if (!enabled || !event.dataTransfer.types.includes('Files')) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      setHover(true);
    },
    onDragLeave: (event: DragEvent<HTMLElement>) => {
      if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setHover(false);
    },
    onDrop: (event: DragEvent<HTMLElement>) => {
      if (!enabled) return;
      event.preventDefault();
      setHover(false);
      onFiles([...event.dataTransfer.files]);
    },
  };
  return { hover: hover && enabled, handlers };
}
