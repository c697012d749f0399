import { ErrorLine } from './ErrorLine';
import { type ChangeEvent, useId, useRef, useState } from 'react';
import { type DeviceEntry, isOpen } from '../state/device-entries';
import type { FerryView } from '../state/view';
import { useAction } from './use-action';
import { useFileDrop } from './use-file-drop';

/** What is about to go: picked or dropped files, or a folder from main's picker. */
interface Selection {
  words: string;
  send: (peerIds: string[]) => Promise<void>;
}

/**
 * Pick (or drop) files or a folder once, then choose the devices: each gets its own transfer,
 * with its own progress. Only connected devices can be chosen.
 */
export function SendToSeveral({ entries, store }: { entries: DeviceEntry[]; store: FerryView }) {
  const [selection, setSelection] = useState<Selection | undefined>();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const { error, run, setError } = useAction();
  const filesInput = useRef<HTMLInputElement>(null);
  const id = useId();
  const open = entries.filter(isOpen);
  const takeFiles = (files: File[]) => {
    if (files.length === 0) return;
    setSelection({ words: files.length === 1 ? `Send ${files[0]?.name ?? ''}` : `Send ${files.length} files`, send: (peerIds) => store.sendFilesToMany(peerIds, files) });
  };
  const drop = useFileDrop(selection !== undefined, takeFiles);
  const onPicked = (event: ChangeEvent<HTMLInputElement>) => {
    const picked = [...(event.target.files ?? [])];
    event.target.value = '';
    takeFiles(picked);
  };
  const pickFolder = () =>
    run(
      store.pickFolderToSend().then((paths) => {
        if (!paths) return;
        const folder = paths[0]?.split(/[\\/]/).filter(Boolean).at(-1) ?? 'the folder';
        setSelection({ words: `Send the folder ${folder}`, send: (peerIds) => store.sendPaths(peerIds, paths) });
      }),
    );
  const close = () => {
    setSelection(undefined);
    setChosen(new Set());
    setError(undefined);
  };
  const recipients = open.filter((e) => chosen.has(e.peerId));
  const toggle = (peerId: string) => {
    const next = new Set(chosen);
    if (!next.delete(peerId)) next.add(peerId);
    setChosen(next);
  };
  const picker = <input ref={filesInput} type="file" multiple hidden aria-label="Files to send to several devices" onChange={onPicked} />;
  if (selection === undefined) {
    return (
      <div className="row">
        <button type="button" className="secondary" disabled={open.length === 0} onClick={() => filesInput.current?.click()}>
          Send files to several devices…
        </button>
        <button type="button" className="secondary" disabled={open.length === 0} onClick={pickFolder}>
          Send a folder to several devices…
        </button>
        {picker}
        <ErrorLine error={error} />
      </div>
    );
  }
  return (
    <div role="group" aria-labelledby={`${id}-what`} className={`card send-several tile${drop.hover ? ' drop-target' : ''}`} {...drop.handlers}>
      <p id={`${id}-what`}>
        <strong>{selection.words}</strong> to:
      </p>
      {open.length === 0 ? <p className="subtle">No device is connected now.</p> : null}
      <ul className="choices">
        {open.map((e) => (
          <li key={e.peerId}>
            <label className="check">
              <input type="checkbox" checked={chosen.has(e.peerId)} onChange={() => toggle(e.peerId)} />
              {e.name}
            </label>
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" disabled={recipients.length === 0} onClick={() => run(selection.send(recipients.map((e) => e.peerId)), close)}>
          {recipients.length === 1 ? 'Send to 1 device' : `Send to ${recipients.length} devices`}
        </button>
        <button type="button" className="secondary" onClick={close}>
          Cancel sending
        </button>
        {picker}
      </div>
      <ErrorLine error={error} />
    </div>
  );
}
