import { useLayoutEffect, useRef } from "preact/hooks";

/**
 * Moves the focus once the component has rendered its next state: `focusNext(() => element)` before
 * (or with) a state change. For controls that disappear or disable themselves when used, so that the
 * focus lands somewhere meaningful instead of on `<body>`.
 */
export function useFocusNext(): (target: () => HTMLElement | null | undefined) => void {
  const next = useRef<() => HTMLElement | null | undefined>(undefined);
  useLayoutEffect(() => {
    const target = next.current?.();
    next.current = undefined;
    if (!target) return;
    target.focus();
    target.scrollIntoView?.({ block: "nearest" });
  });
  return (target) => {
    next.current = target;
  };
}

/** The element for a selector, for `useFocusNext` and the dialogs' focus return. */
export const element = (selector: string) => () => document.querySelector<HTMLElement>(selector);
