/**
 * Auth benchmark (part of `npm run bench`): what identity checks cost the REST trigger.
 * The trigger handler (server/http/trigger.ts) is driven in-process with real Requests,
 * against the real Postgres and Redis, in two variants measured in the same run:
 *  - as deployed: the Bearer API key (or trigger token) is verified on every request;
 *  - the control: the same handler with the identity already known (the floor).
 * Everything else — rate limit, body limits, input checks, startRun's insert and enqueue —
 * is the same in both. Rounds alternate so drift hits both. The queue is paused: this
 * measures accepting runs, not executing them. Needs DATABASE_URL and REDIS_URL.
 */
import { summarize } from "./bench-runtime";
import { runAloneIfMain } from "./lib/run-alone";

const ROUNDS = 4;
const ROUND_MS = 2_000;
const CONCURRENCY = 16;

const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

export async function benchAuth(): Promise<string[]> {
  // The budget guard is not what is measured here: lift it for this process.
  process.env.RUN_START_RATE_PER_MINUTE = "1000000";
  process.env.QUEUE_PREFIX = `bench-auth-${Date.now()}`;
  const { getDb, closeDb } = await import("../server/db");
  const { closeRedis } = await import("../server/events");
  const { getRunsQueue } = await import("../server/queue");
  const { newId } = await import("../server/ids");
  const { createWorkflow } = await import("../server/workflows/workflows");
  const { createTriggerToken } = await import("../server/workflows/trigger-tokens");
  const { createApiKey } = await import("../server/auth/api-keys");
  const { handleTrigger, authorizeTrigger } = await import("../server/http/trigger");
  const { buildGraph } = await import("../server/engine/test-helpers");

  const db = getDb();
  const workspaceId = newId("ws");
  await db.workspace.create({ data: { id: workspaceId, name: "bench auth" } });
  const system = { workspaceId, actor: { kind: "system" as const, name: "bench" }, ip: null };
  const graph = buildGraph([["trigger", "trigger"], ["output", "output"]], [["trigger", "output"]]);
  const { id: workflowId } = await createWorkflow(db, workspaceId, { name: "bench trigger", graph });
  const key = await createApiKey(db, system, { name: "bench", scopes: ["trigger"] });
  const triggerToken = await createTriggerToken(db, system, workflowId);
  const queue = getRunsQueue();
  await queue.pause();
  const body = JSON.stringify({ input: { topic: "bench" } });
  const url = `http://localhost:3000/api/v1/workflows/${workflowId}/trigger`;
  // What verifying the API key resolves to: the control starts from it directly.
  const keyAccess = { workspaceId, actor: { kind: "api_key" as const, id: key.id, name: key.name }, scopes: ["trigger" as const], ip: null };

  type Variant = "api key" | "trigger token" | "control";
  const tokenOf: Record<Variant, string> = { "api key": key.token, "trigger token": triggerToken.token, control: key.token };

  async function round(variant: Variant): Promise<number> {
    const authorize = variant === "control" ? async () => ({ ok: true as const, access: keyAccess }) : authorizeTrigger;
    const deadline = performance.now() + ROUND_MS;
    let accepted = 0;
    const lane = async () => {
      while (performance.now() < deadline) {
        const request = new Request(url, { method: "POST", headers: { authorization: `Bearer ${tokenOf[variant]}`, "content-type": "application/json" }, body });
        const response = await handleTrigger(db, request, workflowId, authorize);
        if (response.status !== 202) throw new Error(`bench trigger answered ${response.status}: ${await response.text()}`);
        accepted += 1;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    return (accepted * 1000) / (performance.now() - started);
  }

  const results: Record<Variant, number[]> = { "api key": [], "trigger token": [], control: [] };
  try {
    for (const variant of ["control", "api key", "trigger token"] as const) await round(variant); // warm-up
    for (let i = 0; i < ROUNDS; i += 1) {
      for (const variant of ["control", "api key", "trigger token"] as const) results[variant].push(await round(variant));
    }
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await db.workspace.delete({ where: { id: workspaceId } }).catch(() => undefined);
    await closeRedis();
    await closeDb();
  }
  const median = (variant: Variant) => summarize(results[variant]).p50;
  const floor = median("control");
  const line = (variant: Variant) => {
    const value = median(variant);
    return `auth: REST trigger with ${variant.padEnd(13)} ${fmt(value)} runs accepted/s  | floor (identity known) ${fmt(floor)}/s  | ratio ${fmt(value / floor, 2)}, sign-in check costs ${fmt(100 * (1 - value / floor), 1)}% (aim <= 10%)`;
  };
  return [line("api key"), line("trigger token")];
}

// `tsx scripts/bench-auth.ts` runs this part alone (bench.ts starts it that way).
runAloneIfMain(import.meta.url, benchAuth);
