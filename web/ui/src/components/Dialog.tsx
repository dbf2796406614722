import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

interface DialogProps {
  title: string;
  onClose(): void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  labelId?: string;
  /** Wide dialogs hold tables (the decode lab). */
  wide?: boolean;
}

/** A modal `<dialog>`: focus is trapped by the browser, Escape closes it. */
export function Dialog({ title, onClose, children, footer, labelId = 'dialog-title', wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  // The dialog is removed from the page when it closes, so the browser cannot give the focus
  // back by itself: the control that opened it gets it again. Taken at the first render,
  // before anything in the dialog takes the focus.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : undefined));
  // Opened in the render's own task: the dialog has the focus before any next key press.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && !el.open) el.showModal();
    return () => {
      el?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? 'dialog wide' : 'dialog'}
      aria-labelledby={labelId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header class="dialog-header">
        <h2 id={labelId}>{title}</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div class="dialog-body">{children}</div>
      {footer ? <footer class="dialog-footer">{footer}</footer> : null}
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  message: ComponentChildren;
  confirmLabel: string;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
  children?: ComponentChildren;
}

/** "Delete device X?" with a red confirm button. */
export function ConfirmDialog({ title, message, confirmLabel, busy, onConfirm, onCancel, children }: ConfirmProps) {
  return (
    <Dialog
      title={title}
      onClose={onCancel}
      footer={
        <>
          <button type="button" class="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" class="button danger" disabled={busy} onClick={onConfirm}>
            {confirmLabel}
          </button>
        </>
      }
    >
      <p>{message}</p>
      {children}
    </Dialog>
  );
}
