import { useCallback, useState } from 'react';

/** Runs a command and keeps its error in words for the control that ran it (cleared on success). */
export function useAction(): { error: string | undefined; run: (work: Promise<unknown>, onDone?: () => void) => void; setError: (error: string | undefined) => void } {
  const [error, setError] = useState<string | undefined>();
  const run = useCallback((work: Promise<unknown>, onDone?: () => void) => {
    work.then(
      () => {
        setError(undefined);
        onDone?.();
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, []);
  return { error, run, setError };
}
