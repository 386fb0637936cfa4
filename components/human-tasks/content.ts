/**
 * Pure helpers for the content a reviewer looks at and may correct before approving (a gate's
 * content under review, which is the previous node's output): how it is shown and edited, and
 * what an edit sends. Shared by the canvas card, its Review dialog and the Inbox.
 */

/** A value with nothing to look at: no content block is shown for it. */
export function isEmptyContent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/** The editor's starting text: a string as it is, anything else as indented JSON. */
export function contentEditorText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value, null, 2);
}

/**
 * What an edit of `original` means: for text, the text itself; for anything else, the JSON
 * it parses to (or why it does not). `changed` is false when the edit is the original again
 * (whitespace in JSON aside), so approving sends no edit and the log says "Approved".
 */
export type ContentEdit = { ok: true; value: unknown; changed: boolean } | { ok: false; error: string };

export function parseContentEdit(original: unknown, text: string): ContentEdit {
  if (typeof original === "string") return { ok: true, value: text, changed: text !== original };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: "Not valid JSON" };
  }
  return { ok: true, value, changed: JSON.stringify(value) !== JSON.stringify(original ?? null) };
}

/** A tool approval's reason: the words the agent sent with the call, when the engine recorded them. */
export function toolCallReasonOf(context: unknown): string | null {
  if (context === null || typeof context !== "object" || !("reason" in context)) return null;
  const reason = context.reason;
  return typeof reason === "string" && reason.trim() !== "" ? reason : null;
}
