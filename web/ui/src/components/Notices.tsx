import { dismiss, useNotices } from '../notice';

export function Notices() {
  const notices = useNotices();
  if (notices.length === 0) return null;
  return (
    <div class="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} class={`notice notice-${n.kind}`} role="status">
          <span>{n.text}</span>
          <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
