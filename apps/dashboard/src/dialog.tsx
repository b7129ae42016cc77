import type { ComponentChildren } from "preact";
import { useId, useLayoutEffect, useRef } from "preact/hooks";

interface DialogProps {
  title: string;
  /**
   * Called on Escape and on the close button. The dialog closes only when its parent stops rendering
   * it, so a dialog may answer Escape otherwise (ask first, or say why it cannot close yet).
   */
  onClose: () => void;
  children: ComponentChildren;
  /** "drawer" slides in from the right (details); default is a centred dialog. */
  variant?: "drawer" | "modal";
  /**
   * Where focus goes after closing, asked at that moment; default: the element that opened the
   * dialog, or `fallbackFocus` when that is gone.
   */
  returnFocus?: () => HTMLElement | null | undefined;
  /** A selector for where focus goes after closing when the element that opened the dialog is gone. */
  fallbackFocus?: string;
  /** Test id of the `<dialog>` element. */
  testId?: string;
}

/**
 * A modal `<dialog>`: the rest of the page is inert while it is open, focus moves into it (to the
 * element marked `data-autofocus`, else the heading), Escape and × call `onClose`, and focus returns
 * to the element that opened it. Rendered = open; unmount to close. It opens and closes in the same
 * commit as the render that mounts or unmounts it (a layout effect), so there is never a frame in
 * which a dialog is shown but not modal, or a keypress reaches the page between two dialogs.
 */
export function Dialog({
  title,
  onClose,
  children,
  variant = "modal",
  returnFocus,
  fallbackFocus,
  testId,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const latest = useRef({ onClose, returnFocus, fallbackFocus });
  latest.current = { onClose, returnFocus, fallbackFocus };
  // Set once the dialog is being unmounted: its own close() then must not report a close again
  // (the "close" event arrives later, and would close whatever the parent shows by then).
  const gone = useRef(false);

  useLayoutEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    (
      dialog.querySelector<HTMLElement>("[data-autofocus]") ?? dialog.querySelector<HTMLElement>("h2")
    )?.focus();
    // Escape is answered here, by the innermost dialog only, before the browser turns it into a
    // close request: Chromium skips "cancel" on an Escape without user activation since the last one
    // and closes every dialog of a close-watcher group at once (the drawer with the secret dialog in
    // it). The "cancel" and "close" handlers below stay for close requests that come another way.
    const onEscape = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
      event.preventDefault();
      latest.current.onClose();
    };
    dialog.addEventListener("keydown", onEscape);
    return () => {
      dialog.removeEventListener("keydown", onEscape);
      gone.current = true;
      // Dialogs opened from this one close with it (they would keep the page inert otherwise).
      for (const inner of dialog.querySelectorAll("dialog[open]")) (inner as HTMLDialogElement).close();
      if (dialog.open) dialog.close();
      // Once this render is committed (the page may lose the opener's row in the same render), and
      // before any input event is handled.
      queueMicrotask(() => {
        const { returnFocus, fallbackFocus } = latest.current;
        const target =
          returnFocus?.() ??
          // An opener inside a dialog that has closed meanwhile cannot take the focus.
          (opener?.isConnected && !opener.closest("dialog:not([open])")
            ? opener
            : fallbackFocus
              ? document.querySelector<HTMLElement>(fallbackFocus)
              : null);
        target?.focus();
      });
    };
  }, []);

  return (
    <dialog
      ref={ref}
      class={`dialog dialog-${variant}`}
      aria-labelledby={`${id}-title`}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        latest.current.onClose();
      }}
      onClose={() => {
        if (gone.current) return;
        // The browser closed it by itself: Chromium skips "cancel" on a second Escape without a click
        // in between. It stays open until the parent stops rendering it, as with the first Escape.
        ref.current?.showModal();
        latest.current.onClose();
      }}
    >
      <div class="dialog-head">
        <h2 id={`${id}-title`} tabIndex={-1}>
          {title}
        </h2>
        <button
          type="button"
          class="icon-button"
          aria-label="Close"
          data-action="close"
          onClick={() => latest.current.onClose()}
        >
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}
