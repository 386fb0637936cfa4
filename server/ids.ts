import { randomBytes } from "node:crypto";

/** Short, URL-safe, prefixed ids (`run_…`, `wf_…`) that say what they identify. */
export function newId(prefix: "wf" | "wfv" | "run" | "evt" | "ht" | "tok"): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}
