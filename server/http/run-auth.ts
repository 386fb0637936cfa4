import type { Db } from "../db";
import { verifyTriggerToken } from "../workflows/trigger-tokens";
import { bearerToken } from "./rest";

/**
 * A run is reachable over REST with a live trigger token of its workflow. "No such run" and
 * "not your run" give the same answer, so run ids cannot be probed.
 */
export async function authorizeRun(db: Db, request: Request, runId: string): Promise<{ workflowId: string } | null> {
  const token = bearerToken(request);
  if (!token) return null;
  const run = await db.run.findUnique({ where: { id: runId }, select: { workflowId: true } });
  if (!run || !(await verifyTriggerToken(db, run.workflowId, token))) return null;
  return { workflowId: run.workflowId };
}
