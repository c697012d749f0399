import type { SignalingState } from '../../src-engine/index';
import { useSecondsTicker } from './use-seconds-ticker';

/**
 * Losing the signaling server, said where it is seen: pinned at the top of the window while it
 * lasts (new connections need the server; open ones carry on), with Retry now.
 */
export function SignalingBanner({ state, onRetry }: { state: SignalingState | undefined; onRetry: () => void }) {
  const now = useSecondsTicker(state?.kind === 'reconnecting');
  if (state?.kind !== 'reconnecting' && state?.kind !== 'offline') return null;
  const seconds = state.kind === 'reconnecting' ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : undefined;
  return (
    <div role="status" aria-label="Signaling problem" className="banner">
      <span>
        {state.kind === 'offline' ? `The signaling server cannot be used: ${state.reason}` : `The signaling server is unreachable; trying again in ${seconds} s.`} Open connections carry
        on; new ones wait for it.
      </span>
      {state.kind === 'reconnecting' ? (
        <button type="button" className="secondary" onClick={onRetry}>
          Retry now
        </button>
      ) : null}
    </div>
  );
}
