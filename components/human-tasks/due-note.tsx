import { formatDateTime } from "@/components/ui/format";

/** When a task's timeout decides for the reviewer, so nobody is surprised by it. */
export function DueNote({ dueAt, className = "" }: { dueAt: string | Date | null | undefined; className?: string }) {
  if (!dueAt) return null;
  return (
    <p className={className} data-testid="human-task-due">
      Times out {formatDateTime(dueAt)}
    </p>
  );
}
