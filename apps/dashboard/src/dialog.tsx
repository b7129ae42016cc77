import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";

interface DialogProps {
  title: string;
  /** Called on Escape, on the close button and when the dialog is closed any other way. */
  onClose: () => void;
  children: ComponentChildren;
  /** "drawer" slides in from the right (details); default is a centred dialog. */
  variant?: "drawer" | "modal";
  /** Where focus goes after closing when the element that opened the dialog is gone. */
  fallbackFocus?: string;
}

/**
 * A modal `<dialog>`: the rest of the page is inert while it is open, focus moves into it (to the
 * element marked `data-autofocus`, else the heading), Escape closes it, and focus returns to the
 * element that opened it. Rendered = open; unmount to close.
 */
export function Dialog({ title, onClose, children, variant = "modal", fallbackFocus }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  // Set once the dialog is being unmounted: its own close() then must not report a close again
  // (the "close" event arrives later, and would close whatever the parent shows by then).
  const gone = useRef(false);

  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    (
      dialog.querySelector<HTMLElement>("[data-autofocus]") ?? dialog.querySelector<HTMLElement>("h2")
    )?.focus();
    return () => {
      gone.current = true;
      if (dialog.open) dialog.close();
      const target = opener?.isConnected
        ? opener
        : fallbackFocus
          ? document.querySelector<HTMLElement>(fallbackFocus)
          : null;
      target?.focus();
    };
  }, [fallbackFocus]);

  return (
    <dialog
      ref={ref}
      class={`dialog dialog-${variant}`}
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        closeRef.current();
      }}
      onClose={() => gone.current || closeRef.current()}
    >
      <div class="dialog-head">
        <h2 id={`${id}-title`} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={() => closeRef.current()}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}
