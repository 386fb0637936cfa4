"use client";

import { useState } from "react";
import { SuccessNote } from "./section";

/**
 * A settings table's row actions: the row being edited or removed (each in its dialog), and
 * the note the table shows once a dialog is done. Starting an action clears the last note.
 */
export function useRowDialogs<Row extends { name: string }>() {
  const [editing, setEditing] = useState<Row | null>(null);
  const [deleting, setDeleting] = useState<Row | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return {
    editing,
    deleting,
    notice,
    edit(row: Row) {
      setNotice(null);
      setEditing(row);
    },
    remove(row: Row) {
      setNotice(null);
      setDeleting(row);
    },
    closeDialogs() {
      setEditing(null);
      setDeleting(null);
    },
    /** A dialog finished: close it and say what happened ("Saved “x”."). */
    done(message: string) {
      setNotice(message);
      setEditing(null);
      setDeleting(null);
    },
  };
}

/** The note above a settings table after a row was saved or removed. */
export function TableNotice({ notice }: { notice: string | null }) {
  if (!notice) return null;
  return (
    <div className="border-b border-slate-100 px-5 py-3">
      <SuccessNote>{notice}</SuccessNote>
    </div>
  );
}
