/**
 * Runs-list benchmark (`npm run bench -- runs`): 100,000 runs in a workspace of their own
 * (written with generate_series, as a busy workspace would hold them after three months),
 * then the Runs page's query (server/runs/list-runs.ts) for each filter, timed as the tRPC
 * procedure calls it, beside the 200 ms p95 target; and each query's plan, which must read
 * "Run" through an index (a Seq Scan on it would grow with the table). The workspace and
 * everything in it is deleted at the end. Needs DATABASE_URL (scripts/with-services.ts).
 */
import { randomBytes } from "node:crypto";
import { runAloneIfMain } from "./lib/run-alone";

const RUNS = 100_000;
const WORKFLOWS = 20;
const TARGET_P95_MS = 200;
const WARMUP = 10;
const SAMPLES = 100;
/** Words the inputs are made of: each appears in 2% of the runs. */
const WORDS = ["invoice", "refund", "onboarding", "churn", "renewal", "escalation", "outage", "billing", "contract", "shipment"].flatMap((word) =>
  ["alpha", "beta", "gamma", "delta", "omega"].map((suffix) => `${word}-${suffix}`),
);

type PlanNode = { "Node Type": string; "Relation Name"?: string; "Index Name"?: string; Plans?: PlanNode[] };

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

export async function benchRuns(): Promise<string[]> {
  process.env.APP_URL ??= "http://localhost:3000";
  // Imported after the env is set: these modules read it lazily but cache it.
  const { closeDb, getDb, Prisma } = await import("../server/db");
  const { newId } = await import("../server/ids");
  const { buildGraph } = await import("../server/engine/test-helpers");
  const { createWorkflow } = await import("../server/workflows/workflows");
  const { snapshotVersion } = await import("../server/workflows/versions");
  const { listRunsInputSchema, listRunsPage, listRunsQuery } = await import("../server/runs/list-runs");
  type ListRunsInput = Parameters<typeof listRunsPage>[2];
  const db = getDb();
  const lines: string[] = [];
  const workspaceId = newId("ws");
  const scope = { canRespond: true };

  try {
    await db.workspace.create({ data: { id: workspaceId, name: "bench runs list" } });
    const graph = buildGraph(
      [
        ["trigger", "trigger"],
        ["output", "output"],
      ],
      [["trigger", "output"]],
    );
    const workflows: { id: string; versionId: string }[] = [];
    for (let i = 0; i < WORKFLOWS; i += 1) {
      const { id } = await createWorkflow(db, workspaceId, { name: `bench workflow ${i}`, graph });
      workflows.push({ id, versionId: (await snapshotVersion(db, id, graph)).id });
    }

    const salt = randomBytes(6).toString("hex");
    const filling = performance.now();
    // Statuses as a busy workspace has them: mostly finished, 2% waiting for a person; no run
    // queued or running, so no worker or reconciler ever picks these up.
    await db.$executeRaw`
      WITH wf AS (
        SELECT (ord - 1)::int AS n, id, "versionId" FROM unnest(${workflows.map((w) => w.id)}::text[], ${workflows.map((w) => w.versionId)}::text[]) WITH ORDINALITY AS t(id, "versionId", ord)
      ), words AS (
        SELECT ${WORDS}::text[] AS list
      )
      INSERT INTO "Run" ("id", "workspaceId", "workflowId", "versionId", "status", "trigger", "startedBy", "input", "state",
                         "lastSeq", "stepCount", "tokens", "costUsd", "createdAt", "startedAt", "finishedAt")
      SELECT 'run_' || substr(md5(${salt} || i::text), 1, 16), ${workspaceId}, wf.id, wf."versionId",
             CASE WHEN i % 50 = 0 THEN 'waiting_for_human' WHEN i % 10 = 1 THEN 'failed' WHEN i % 20 = 2 THEN 'cancelled'
                  WHEN i % 33 = 3 THEN 'rejected' WHEN i % 97 = 4 THEN 'paused' ELSE 'succeeded' END,
             CASE WHEN (hashtext(i::text || 'trigger') & 2147483647) % 5 < 2 THEN 'api' ELSE 'manual' END,
             'bench',
             jsonb_build_object('topic', words.list[1 + i % 50] || ' for customer ' || (i % 5000), 'order', 'order-' || i, 'notes', repeat('lorem ipsum ', 1 + i % 8)),
             '{}'::jsonb, 1, 1, (i % 3000), (i % 3000) * 0.000002,
             ts, ts, CASE WHEN i % 50 = 0 OR i % 97 = 4 THEN NULL ELSE ts + interval '2 seconds' END
      FROM generate_series(1, ${RUNS}::int) AS i
      CROSS JOIN words
      -- Workflow and trigger by a hash of i, so neither follows the status pattern.
      JOIN wf ON wf.n = (hashtext(i::text) & 2147483647) % ${WORKFLOWS}::int
      CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE 'UTC') - (i * interval '77 seconds') AS ts) AS t`;
    await db.$executeRaw`
      INSERT INTO "RunStep" ("id", "runId", "seq", "type", "nodeId", "payload", "createdAt")
      SELECT 'evt_' || substr(md5(r."id"), 1, 16), r."id", 1, 'run_started', NULL, jsonb_build_object('type', 'run_started', 'seq', 1, 'input', r."input"), r."createdAt"
      FROM "Run" r WHERE r."workspaceId" = ${workspaceId}`;
    // A pending task for each waiting run; an answered one for runs that passed a review.
    await db.$executeRaw`
      INSERT INTO "HumanTask" ("id", "runId", "nodeId", "kind", "status", "message", "context", "createdAt", "respondedAt")
      SELECT 'ht_' || substr(md5(r."id"), 1, 16), r."id", 'review', 'gate',
             CASE WHEN r."status" = 'waiting_for_human' THEN 'pending' ELSE 'approved' END,
             'Publish this?', '{}'::jsonb, r."createdAt",
             CASE WHEN r."status" = 'waiting_for_human' THEN NULL ELSE r."createdAt" + interval '1 second' END
      FROM "Run" r WHERE r."workspaceId" = ${workspaceId} AND (r."status" = 'waiting_for_human' OR hashtext(r."id") % 10 = 0)`;
    // Statistics as autovacuum would have them for a table that grew over months.
    await db.$executeRawUnsafe(`ANALYZE "Run"`);
    await db.$executeRawUnsafe(`ANALYZE "HumanTask"`);
    await db.$executeRawUnsafe(`ANALYZE "RunStep"`);
    const fillSeconds = (performance.now() - filling) / 1000;
    const counts = await db.$queryRaw<{ runs: number; tasks: number; steps: number }[]>`
      SELECT (SELECT count(*)::int FROM "Run" WHERE "workspaceId" = ${workspaceId}) AS runs,
             (SELECT count(*)::int FROM "HumanTask" t JOIN "Run" r ON r."id" = t."runId" WHERE r."workspaceId" = ${workspaceId}) AS tasks,
             (SELECT count(*)::int FROM "RunStep" s JOIN "Run" r ON r."id" = s."runId" WHERE r."workspaceId" = ${workspaceId}) AS steps`;
    const trigram = await db.$queryRaw<{ present: boolean }[]>`SELECT to_regclass('"Run_input_trgm_idx"') IS NOT NULL AS present`;
    lines.push(
      `runs: ${counts[0]?.runs.toLocaleString()} runs, ${counts[0]?.tasks.toLocaleString()} human tasks, ${counts[0]?.steps.toLocaleString()} steps written in ${fmt(fillSeconds)} s; trigram index on the input: ${trigram[0]?.present ? "yes" : "NO (pg_trgm missing)"}`,
    );

    const sample = await db.run.findFirstOrThrow({ where: { workspaceId }, orderBy: { createdAt: "desc" }, skip: 12_345, select: { id: true } });
    const page1 = await listRunsPage(db, workspaceId, {}, scope);
    const page2 = await listRunsPage(db, workspaceId, { cursor: page1.nextCursor }, scope);
    const week = 7 * 86_400_000;
    const cases: { name: string; input: ListRunsInput }[] = [
      { name: "first page (no filter)", input: {} },
      { name: "status = failed", input: { status: "failed" } },
      { name: "status in (failed, cancelled)", input: { status: ["failed", "cancelled"] } },
      { name: "status = paused (1%)", input: { status: "paused" } },
      { name: "workflow", input: { workflowId: workflows[7]?.id } },
      { name: "trigger = api", input: { trigger: "api" } },
      { name: "waiting for me", input: { waitingForMe: true } },
      { name: "date range (a week, 6 weeks ago)", input: { from: new Date(Date.now() - 7 * week).toISOString(), to: new Date(Date.now() - 6 * week).toISOString() } },
      { name: "search: run id prefix", input: { q: sample.id.slice(0, 9) } },
      { name: "search: whole run id", input: { q: sample.id } },
      { name: "search: input text, 20 runs", input: { q: "for customer 4242" } },
      { name: "search: input text, 1 run", input: { q: "order-77777" } },
      { name: "search: input text, 2% of runs", input: { q: "escalation-gamma" } },
      { name: "search: no match", input: { q: "no such words" } },
      { name: "3rd page via cursor", input: { cursor: page2.nextCursor } },
      { name: "workflow + failed, 3rd page", input: { workflowId: workflows[3]?.id, status: "failed", cursor: null } },
    ];
    // The last case pages twice first, to start from its own cursor.
    const last = cases.at(-1);
    if (last) {
      const first = await listRunsPage(db, workspaceId, last.input, scope);
      const second = await listRunsPage(db, workspaceId, { ...last.input, cursor: first.nextCursor }, scope);
      last.input = { ...last.input, cursor: second.nextCursor };
    }

    let worstP95 = 0;
    let seqScans = 0;
    for (const { name, input } of cases) {
      for (let i = 0; i < WARMUP; i += 1) await listRunsPage(db, workspaceId, input, scope);
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < SAMPLES; i += 1) {
        const started = performance.now();
        const page = await listRunsPage(db, workspaceId, input, scope);
        times.push(performance.now() - started);
        rows = page.runs.length;
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 0.5);
      const p95 = percentile(times, 0.95);
      worstP95 = Math.max(worstP95, p95);

      const query = listRunsQuery(workspaceId, listRunsInputSchema.parse(input), scope);
      const explained = await db.$queryRaw<{ "QUERY PLAN": { Plan: PlanNode; "Execution Time": number }[] }[]>(Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`);
      const plan = explained[0]?.["QUERY PLAN"][0];
      const nodes = plan ? planNodes(plan.Plan) : [];
      const seqScan = nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "Run");
      if (seqScan) seqScans += 1;
      const indexes = [...new Set(nodes.filter((node) => node["Relation Name"] === "Run" || node["Index Name"]?.startsWith("Run_")).map((node) => node["Index Name"]).filter((index): index is string => !!index))];
      lines.push(
        `runs: ${name.padEnd(34)} p50 ${fmt(p50).padStart(6)} ms  p95 ${fmt(p95).padStart(6)} ms  (${fmt((p95 / TARGET_P95_MS) * 100, 0).padStart(3)}% of the ${TARGET_P95_MS} ms target; ${String(rows).padStart(2)} rows; SQL ${fmt(plan?.["Execution Time"] ?? Number.NaN)} ms)  plan: ${seqScan ? "SEQ SCAN on Run" : `index ${indexes.join(" + ") || "(none on Run)"}`}`,
      );
    }
    lines.push(
      `runs: worst p95 ${fmt(worstP95)} ms at ${RUNS.toLocaleString()} runs = ${fmt(worstP95 / TARGET_P95_MS, 2)}x the ${TARGET_P95_MS} ms target (aim <= 1); ${seqScans === 0 ? "every plan reads Run through an index" : `${seqScans} plan(s) scan Run sequentially`}`,
    );
  } finally {
    // Runs first: a workflow version cannot go while runs still pin it.
    await db.$executeRaw`DELETE FROM "Run" WHERE "workspaceId" = ${workspaceId}`.catch((error: unknown) => console.error(error));
    await db.workspace.delete({ where: { id: workspaceId } }).catch((error: unknown) => console.error(error));
    await closeDb();
  }
  return lines;
}

// `tsx scripts/bench-runs.ts` runs this part alone (bench.ts starts it that way).
runAloneIfMain(import.meta.url, benchRuns);
