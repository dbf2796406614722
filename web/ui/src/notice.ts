import { useEffect, useState } from 'preact/hooks';

/** A short confirmation shown at the top of the page after an action ("Device saved"). */
export interface Notice {
  id: number;
  kind: 'ok' | 'error';
  text: string;
}

let notices: Notice[] = [];
let nextId = 1;
const listeners = new Set<(n: Notice[]) => void>();

function emit() {
  for (const fn of listeners) fn(notices);
}

export function notify(text: string, kind: Notice['kind'] = 'ok'): void {
  const id = nextId++;
  notices = [...notices, { id, kind, text }].slice(-3);
  emit();
  window.setTimeout(() => dismiss(id), kind === 'ok' ? 5000 : 12000);
}

export function dismiss(id: number): void {
  notices = notices.filter((n) => n.id !== id);
  emit();
}

export function useNotices(): Notice[] {
  const [list, setList] = useState(notices);
  useEffect(() => {
    listeners.add(setList);
    return () => {
      listeners.delete(setList);
    };
  }, []);
  return list;
}
