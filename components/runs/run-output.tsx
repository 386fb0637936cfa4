import { formatValue } from "@/components/ui/format";

/** A run's (or node's) output: strings as text, anything else as indented JSON. */
export function RunOutput({ value, testId, className = "" }: { value: unknown; testId?: string; className?: string }) {
  const isText = typeof value === "string";
  return (
    <pre
      data-testid={testId}
      className={`overflow-auto rounded-md border border-slate-200 bg-slate-50 p-3 text-xs leading-relaxed whitespace-pre-wrap break-words text-slate-800 ${
        isText ? "font-sans text-sm" : "font-mono"
      } ${className}`}
    >
      {value === undefined || value === null ? <span className="text-slate-400 italic">No output</span> : formatValue(value)}
    </pre>
  );
}
