"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * A modal dialog on the native <dialog> element: focus moves into it, Escape
 * closes it, the page behind is inert.
 */
export function Dialog({
  open,
  onClose,
  title,
  children,
  wide = false,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  /** For text that must keep its lines (a recovery kit, a diff). */
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // One id per dialog: a page may hold several (each confirmation button has its own).
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby={titleId}
      className={`m-auto w-full ${wide ? "max-w-3xl" : "max-w-lg"} rounded-lg border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40`}
    >
      <div className="border-b border-slate-200 px-4 py-3">
        <h2 id={titleId} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
      </div>
      <div className="px-4 py-3 text-sm text-slate-700">{children}</div>
    </dialog>
  );
}
