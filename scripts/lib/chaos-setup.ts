// Setup of the chaos harness, in a process of its own (the harness's environment may point at
// other services, and server/db caches the first DATABASE_URL it reads): the owner account
// (AGENTFLOW_OWNER_EMAIL/PASSWORD, as a headless first start makes it), its workspace, an API
// key that may trigger runs and answer tasks, and the published chaos workflow:
// trigger → agent (demo model; one http_request to the sink) → approval gate → output.
// Prints one JSON line: { workspaceId, workflowId, token }. Run as: tsx scripts/chaos.ts --set-up.
import { getDb } from "../../server/db";
import { closeAllOnShutdown } from "../../server/ops/closers";
import { ensureOwnerFromEnv } from "../../server/auth/setup";
import { createApiKey } from "../../server/auth/api-keys";
import { createWorkflow } from "../../server/workflows/workflows";
import { publishVersion } from "../../server/workflows/versions";
import { buildGraph } from "../../server/engine/test-helpers";

export async function setUpChaosWorkspace(): Promise<void> {
  const sinkUrl = process.env.CHAOS_SINK_URL;
  if (!sinkUrl) throw new Error("CHAOS_SINK_URL is not set");
  const db = getDb();
  try {
    await ensureOwnerFromEnv(db);
    const email = process.env.AGENTFLOW_OWNER_EMAIL;
    const owner = await db.user.findFirstOrThrow({ where: { email }, select: { id: true, name: true, email: true } });
    const membership = await db.member.findFirstOrThrow({ where: { userId: owner.id, role: "owner" }, select: { workspaceId: true } });
    const access = { workspaceId: membership.workspaceId, actor: { kind: "user" as const, id: owner.id, name: owner.name, email: owner.email }, role: "owner" as const, ip: null };
    const { token } = await createApiKey(db, access, { name: `chaos ${new Date().toISOString()}`, scopes: ["trigger", "control"] });
    // The run's tag rides in the task (the model server reads it) and in the effect's body (the sink reads it).
    const call = JSON.stringify({ url: `${sinkUrl}/effects`, method: "POST", body: "{{input.tag}}" });
    const graph = buildGraph(
      [
        ["trigger", "trigger"],
        ["agent", "agent", { task: `Record the effect {{input.tag}}.\n#demo:call:http_request ${call}`, allowedTools: ["http_request"], autoApproveTools: ["http_request"] }],
        ["review", "human", { message: "Approve {{input.tag}}?" }],
        ["output", "output"],
      ],
      [
        ["trigger", "agent"],
        ["agent", "review"],
        ["review", "output", "approve"],
      ],
    );
    const { id: workflowId } = await createWorkflow(db, membership.workspaceId, { name: `Chaos ${new Date().toISOString()}`, graph });
    await publishVersion(db, membership.workspaceId, workflowId);
    console.log(JSON.stringify({ workspaceId: membership.workspaceId, workflowId, token }));
  } finally {
    // The pool, and the Redis connection a publish opens to announce it (server/ops/process-cache.ts).
    await closeAllOnShutdown();
  }
}
