import { randomBytes } from "node:crypto";

/** Short, URL-safe, prefixed ids (`run_…`, `wf_…`) that say what they identify. */
export type IdPrefix =
  | "wf" | "wfv" | "run" | "evt" | "ht" | "tok"
  // identity and tenancy
  | "usr" | "ses" | "acc" | "ver" | "rl" | "id" | "ws" | "mem" | "inv" | "key" | "cred" | "aud"
  // notifications: channels and deliveries
  | "nch" | "ndl"
  // model providers and per-workspace model prices
  | "prov" | "mp"
  // MCP servers whose tools agents call
  | "mcp"
  // schedules and their fires; run-finished callbacks and their attempts
  | "sch" | "sfi" | "rcb" | "rca"
  // alert rules and their log
  | "alr" | "alg";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}

/** What `newId("run")` produces: `run_` and 16 base64url characters (12 random bytes). */
export const RUN_ID_PATTERN = /^run_[A-Za-z0-9_-]{16}$/;
