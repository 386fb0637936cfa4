import { randomFillSync } from "node:crypto";

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

const ID_BYTES = 12;
/**
 * Random bytes are drawn from the CSPRNG a pool at a time and handed out once each: a run's
 * start makes a dozen ids, and one call per id cost more than the rest of making them.
 */
const pool = Buffer.alloc(ID_BYTES * 256);
let poolOffset = pool.length;

export function newId(prefix: IdPrefix): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return `${prefix}_${bytes.toString("base64url")}`;
}

/** What `newId("run")` produces: `run_` and 16 base64url characters (12 random bytes). */
export const RUN_ID_PATTERN = /^run_[A-Za-z0-9_-]{16}$/;
