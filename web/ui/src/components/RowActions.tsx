import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/**
 * A table row's secondary buttons. Wide screens show them inline; on a phone (see styles.css)
 * they fold behind a compact "⋯" button so the value and Write stay in view.
 */
export function RowActions({ label, children }: { label: string; children: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  return (
    <span
      role="toolbar"
      class={`row-actions${open ? ' is-open' : ''}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setOpen(false);
      }}
      onClick={(e) => {
        // An item ran: the menu closes (the toggle's own click is handled on the toggle).
        const toggle = e.currentTarget.firstElementChild;
        if (!toggle?.contains(e.target as Node)) setOpen(false);
      }}
      onFocusOut={(e) => {
        // Closes when the focus leaves the menu, not when it moves between its buttons.
        const next = e.relatedTarget as Node | null;
        if (!next || !e.currentTarget.contains(next)) setOpen(false);
      }}
    >
      <button
        type="button"
        class="button small row-actions-toggle"
        aria-label={label}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      <span class="row-actions-items">{children}</span>
    </span>
  );
}
