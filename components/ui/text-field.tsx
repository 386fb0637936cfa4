import { useId, type InputHTMLAttributes } from "react";

/** A labelled input with an optional hint and error (announced with it), as every form of the app uses. */
export function TextField({
  label,
  hint,
  error,
  className = "",
  ...input
}: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string | null }) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = error ?? hint;
  return (
    <div className={`text-sm ${className}`}>
      <label htmlFor={id} className="font-medium text-slate-700">
        {label}
      </label>
      <input
        {...input}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={note ? noteId : undefined}
        className="mt-1 block h-9 w-full rounded-md border border-slate-300 bg-white px-2.5 text-sm placeholder:text-slate-400 read-only:bg-slate-50 read-only:text-slate-500 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none aria-invalid:border-red-400"
      />
      {note && (
        <p id={noteId} className={`mt-1 text-xs ${error ? "text-red-600" : "text-slate-500"}`}>
          {note}
        </p>
      )}
    </div>
  );
}

/** The form-level error line (what the server said was wrong). */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
      {message}
    </p>
  );
}
