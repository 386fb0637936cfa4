"use client";

import type { ReactNode } from "react";
import { useModalDialog } from "./use-modal-dialog";

/** A modal question (native <dialog>: focus trap, Escape and the backdrop come with it). */
export function ConfirmDialog({
  title,
  children,
  actions,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  actions: ReactNode;
  onCancel: () => void;
}) {
  const ref = useModalDialog();
  return (
    <dialog
      ref={ref}
      aria-labelledby="confirm-dialog-title"
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
      className="m-auto w-[min(28rem,calc(100%-2rem))] rounded-lg border border-slate-200 bg-white p-5 text-sm text-slate-700 shadow-xl backdrop:bg-slate-900/30"
    >
      <h2 id="confirm-dialog-title" className="text-base font-semibold text-slate-900">
        {title}
      </h2>
      <div className="mt-2">{children}</div>
      <div className="mt-5 flex justify-end gap-2">{actions}</div>
    </dialog>
  );
}
