import { TRPCClientError } from "@trpc/client";
import { errorMessage, errorPath } from "@/components/trpc";

/**
 * Server errors, placed where they belong. A domain error names its field in `data.path`
 * (`errorPath`); an input the router's zod schema refused lists every issue in
 * `data.zodIssues` — its `message` is zod's JSON dump, which is not for people.
 */
export type Issue = { path: string; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object";
}

export function serverIssues(error: unknown): Issue[] {
  if (!error) return [];
  if (error instanceof TRPCClientError && isRecord(error.data) && Array.isArray(error.data.zodIssues)) {
    const issues = error.data.zodIssues.filter((issue): issue is Issue => isRecord(issue) && typeof issue.path === "string" && typeof issue.message === "string");
    if (issues.length > 0) return issues;
  }
  return [{ path: errorPath(error) ?? "", message: errorMessage(error) }];
}

/** "is not a host name" reads as a sentence after the field's label; "the token is empty" just needs a capital. */
export function sentence(label: string, message: string): string {
  if (/^(is|must|should|cannot|has) /.test(message)) return `${label} ${message}`;
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The message for one field (`path` exactly, or anything below it: `allowedHosts.2`). */
export function fieldError(error: unknown, path: string, label: string): string | null {
  const issue = serverIssues(error).find((i) => i.path === path || i.path.startsWith(`${path}.`));
  return issue ? sentence(label, issue.message) : null;
}

/** Whatever the fields shown do not account for, as one line for the form. */
export function formError(error: unknown, shownPaths: readonly string[]): string | null {
  const rest = serverIssues(error).filter((i) => !shownPaths.some((path) => i.path === path || i.path.startsWith(`${path}.`)));
  if (rest.length === 0) return null;
  return rest.map((i) => (i.path ? sentence(i.path, i.message) : i.message)).join("; ");
}
