import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { createTestApiKey, createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import { startRestServer, type RestServer } from "./support/rest-server";
import { outputOnlyGraph } from "./support/graphs";
import { createNode, type Graph } from "../server/engine/graph";
import { validateGraph } from "../server/engine/validate";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { graphHash } from "../server/workflows/versions";
import { diffGraphs } from "../lib/graph-diff";
import { decodeOutput } from "../lib/wire";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as runsListRoute from "../app/api/v1/runs/route";

/**
 * Draft vs published over the app's real entry points: the workflow API (REST trigger, over a
 * loopback HTTP server) runs the published version, or before any publish the draft while it
 * is valid and otherwise the latest version; the editor's Run (tRPC) always runs the draft.
 * Also publish notes, who may publish, and the runs list filtered to a version.
 */

const BASE = "http://localhost:3100";
let harness: Harness;
let rest: RestServer;
let editor: TestUser;
let viewer: TestUser;
let workspaceId: string;

type TrpcAnswer = { status: number; data: unknown; error: { message?: string; data?: { code?: string; path?: string } } | null };

async function trpc(user: TestUser, kind: "query" | "mutation", path: string, input: unknown): Promise<TrpcAnswer> {
  const headers = new Headers({ "content-type": "application/json", host: "localhost:3100", cookie: user.cookie });
  const url = `${BASE}/api/trpc/${path}`;
  const response =
    kind === "query"
      ? await trpcRoute.GET(new Request(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers }))
      : await trpcRoute.POST(new Request(url, { method: "POST", headers, body: JSON.stringify(input) }));
  const body = (await response.json()) as { result?: { data?: unknown }; error?: unknown };
  return {
    status: response.status,
    data: body.result ? decodeOutput(body.result.data) : null,
    error: body.error === undefined ? null : (decodeOutput(body.error) as TrpcAnswer["error"]),
  };
}

async function ok<T>(answer: Promise<TrpcAnswer>): Promise<T> {
  const settled = await answer;
  expect(settled.error, JSON.stringify(settled.error)).toBeNull();
  return settled.data as T;
}

type ReleaseState = { published: { id: string; version: number } | null; draftDiffers: boolean; api: { kind: string; version?: number; versionId?: string; note?: string | null; draftProblems?: number } };

const releaseState = (id: string) => ok<ReleaseState>(trpc(editor, "query", "workflow.releaseState", { id }));

async function saveDraft(id: string, graph: Graph): Promise<void> {
  const { revision } = await ok<{ revision: number }>(trpc(editor, "query", "workflow.get", { id }));
  await ok(trpc(editor, "mutation", "workflow.saveDraft", { id, graph, baseRevision: revision }));
}

async function trigger(workflowId: string, token: string): Promise<{ status: number; body: { runId?: string; error?: { message?: string } } }> {
  const response = await fetch(`${rest.url}/api/v1/workflows/${workflowId}/trigger`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ input: { topic: "versions" } }),
  });
  return { status: response.status, body: (await response.json()) as { runId?: string } };
}

/** The version a run pinned, once it finished. */
async function pinnedVersion(runId: string): Promise<{ id: string; version: number; graphHash: string; publishedAt: Date | null }> {
  const run = await waitForRun(harness.db, runId, ["succeeded"]);
  return harness.db.workflowVersion.findUniqueOrThrow({ where: { id: run.versionId }, select: { id: true, version: true, graphHash: true, publishedAt: true } });
}

/** trigger → output, plus a Join in between when `withJoin`: two valid graphs that differ. */
function validGraph(withJoin: boolean): Graph {
  const graph = outputOnlyGraph();
  if (!withJoin) return graph;
  return {
    ...graph,
    nodes: [...graph.nodes, createNode("join", "join_1", { x: 200, y: 200 })],
    edges: [
      { id: "trigger->join_1", source: "trigger", target: "join_1", sourceHandle: null, targetHandle: null },
      { id: "join_1->output", source: "join_1", target: "output", sourceHandle: null, targetHandle: null },
    ],
  };
}

/** A half-finished edit: a second Trigger dropped on the canvas. */
function invalidGraph(): Graph {
  const graph = validGraph(true);
  return { ...graph, nodes: [...graph.nodes, createNode("trigger", "trigger_2", { x: 0, y: 400 })] };
}

const INVALID_PROBLEMS = validateGraph(invalidGraph()).filter((problem) => problem.severity === "error").length;

beforeAll(async () => {
  harness = await startHarness();
  rest = await startRestServer();
  [editor, viewer] = await Promise.all([createTestUser("versions editor"), createTestUser("versions viewer")]);
  workspaceId = await createWorkspaceWith(harness.db, "versions", [
    { user: editor, role: "editor" },
    { user: viewer, role: "viewer" },
  ]);
});

afterAll(async () => {
  await rest?.close();
  await harness?.stop();
});

describe("what the workflow API runs", () => {
  it("runs a valid draft before any publish, keeps the last valid version through an invalid autosave, then the published version; Run in the editor runs the draft", async () => {
    expect(INVALID_PROBLEMS).toBeGreaterThan(0);
    const { id } = await ok<{ id: string }>(trpc(editor, "mutation", "workflow.create", { name: "API version rule", graph: validGraph(false) }));
    const { token } = await createTriggerToken(harness.db, { workspaceId, actor: { kind: "system", name: "test" }, ip: null }, id);
    expect(await releaseState(id)).toMatchObject({ published: null, draftDiffers: true, api: { kind: "draft" } });

    // Before a publish, a valid draft runs (and is snapshotted as version 1).
    const first = await trigger(id, token);
    expect(first.status).toBe(202);
    const v1 = await pinnedVersion(first.body.runId!);
    expect(v1).toMatchObject({ version: 1, graphHash: graphHash(validGraph(false)), publishedAt: null });

    // Still unpublished: a newer valid draft is what the API runs.
    await saveDraft(id, validGraph(true));
    const second = await trigger(id, token);
    expect(second.status).toBe(202);
    const v2 = await pinnedVersion(second.body.runId!);
    expect(v2).toMatchObject({ version: 2, graphHash: graphHash(validGraph(true)) });

    // An autosave of a half-finished edit: the API keeps running the latest valid version, no 422.
    await saveDraft(id, invalidGraph());
    expect(await releaseState(id)).toMatchObject({ published: null, api: { kind: "snapshot", version: 2, versionId: v2.id, draftProblems: INVALID_PROBLEMS } });
    const third = await trigger(id, token);
    expect(third.status).toBe(202);
    expect((await pinnedVersion(third.body.runId!)).id).toBe(v2.id);
    // The editor's Run runs the draft itself, so it is refused with the draft's problem.
    const refused = await trpc(editor, "mutation", "run.start", { workflowId: id, input: { topic: "draft" } });
    expect(refused.error?.message).toContain("only one Trigger node is allowed");
    expect(await harness.db.workflowVersion.count({ where: { workflowId: id } })).toBe(2);

    // Fixed and published with a note: the API runs the published version from now on.
    await saveDraft(id, validGraph(false));
    const published = await ok<{ id: string; version: number; note: string | null }>(trpc(editor, "mutation", "workflow.publish", { id, note: "  Back to the short path  " }));
    // The draft equals version 1's graph: publishing reuses that snapshot.
    expect(published).toMatchObject({ id: v1.id, version: 1, note: "Back to the short path" });
    expect(await releaseState(id)).toMatchObject({ published: { id: v1.id, version: 1 }, draftDiffers: false, api: { kind: "published", version: 1, note: "Back to the short path" } });

    // An edit after publishing: the call to action shows, the API stays on the published version…
    await saveDraft(id, validGraph(true));
    expect(await releaseState(id)).toMatchObject({ published: { version: 1 }, draftDiffers: true, api: { kind: "published", version: 1 } });
    const fourth = await trigger(id, token);
    expect(fourth.status).toBe(202);
    expect((await pinnedVersion(fourth.body.runId!)).id).toBe(v1.id);
    // …even when the edit is invalid.
    await saveDraft(id, invalidGraph());
    const fifth = await trigger(id, token);
    expect(fifth.status).toBe(202);
    expect((await pinnedVersion(fifth.body.runId!)).id).toBe(v1.id);

    // …while the editor's Run runs the (valid) draft.
    await saveDraft(id, validGraph(true));
    const editorRun = await ok<{ runId: string }>(trpc(editor, "mutation", "run.start", { workflowId: id, input: { topic: "draft" } }));
    expect((await pinnedVersion(editorRun.runId)).id).toBe(v2.id);

    // The versions list carries the note; the runs list filters to one version (tRPC and REST).
    const versions = await ok<{ id: string; version: number; note: string | null; publishedAt: Date | null; runCount: number }[]>(trpc(editor, "query", "workflow.versions", { id }));
    expect(versions.map((version) => [version.version, version.note, version.publishedAt !== null, version.runCount])).toEqual([
      [2, null, false, 3],
      [1, "Back to the short path", true, 3],
    ]);
    const listed = await ok<{ runs: { id: string }[] }>(trpc(editor, "query", "run.list", { workflowId: id, versionId: v2.id }));
    expect(listed.runs.map((run) => run.id).sort()).toEqual([second.body.runId, third.body.runId, editorRun.runId].sort());
    const { token: apiKey } = await createTestApiKey(harness.db, workspaceId, ["read"]);
    const response = await runsListRoute.GET(new Request(`${BASE}/api/v1/runs?versionId=${v1.id}`, { headers: { host: "localhost:3100", authorization: `Bearer ${apiKey}` } }));
    expect(response.status).toBe(200);
    const page = (await response.json()) as { runs: { id: string }[] };
    expect(page.runs.map((run) => run.id).sort()).toEqual([first.body.runId, fourth.body.runId, fifth.body.runId].sort());

    // The diff between the two versions, as the compare page computes it.
    const [older, newer] = await Promise.all([v1, v2].map(({ id: versionId }) => ok<{ graph: Graph }>(trpc(editor, "query", "workflow.version", { versionId }))));
    const diff = diffGraphs(older!.graph, newer!.graph);
    expect(diff.summary).toMatchObject({ addedNodes: 1, removedNodes: 0, addedEdges: 2, removedEdges: 1 });
  });

  it("refuses API calls (422) when the draft is invalid and no version passed the checks yet", async () => {
    const { id } = await ok<{ id: string }>(trpc(editor, "mutation", "workflow.create", { name: "Never valid", graph: invalidGraph() }));
    const { token } = await createTriggerToken(harness.db, { workspaceId, actor: { kind: "system", name: "test" }, ip: null }, id);
    expect(await releaseState(id)).toMatchObject({ published: null, api: { kind: "none", draftProblems: INVALID_PROBLEMS } });
    const answer = await trigger(id, token);
    expect(answer.status).toBe(422);
    expect(JSON.stringify(answer.body)).toContain("only one Trigger node is allowed");
  });
});

describe("publishing", () => {
  it("is for editors: a viewer gets 403 and may read the release state; a note over 500 characters is a 400 naming it", async () => {
    const { id } = await ok<{ id: string }>(trpc(editor, "mutation", "workflow.create", { name: "Publish rights", graph: validGraph(false) }));
    const denied = await trpc(viewer, "mutation", "workflow.publish", { id, note: "from a viewer" });
    expect(denied.status).toBe(403);
    expect(await harness.db.workflowVersion.count({ where: { workflowId: id } })).toBe(0);
    const seen = await trpc(viewer, "query", "workflow.releaseState", { id });
    expect(seen.data).toMatchObject({ published: null, api: { kind: "draft" } });

    const tooLong = await trpc(editor, "mutation", "workflow.publish", { id, note: "x".repeat(501) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.error?.message).toContain("note");
    expect(tooLong.error?.message).toContain("500");

    // No note is fine; publishing the same graph again with a note keeps one version and takes the note.
    const plain = await ok<{ version: number; note: string | null }>(trpc(editor, "mutation", "workflow.publish", { id }));
    expect(plain).toMatchObject({ version: 1, note: null });
    const again = await ok<{ version: number; note: string | null }>(trpc(editor, "mutation", "workflow.publish", { id, note: "Same graph, now with a note" }));
    expect(again).toMatchObject({ version: 1, note: "Same graph, now with a note" });
  });

  it("answers NOT_FOUND for another workspace's workflow", async () => {
    const outsider = await createTestUser("versions outsider");
    await createWorkspaceWith(harness.db, "elsewhere", [{ user: outsider, role: "owner" }]);
    const { id } = await ok<{ id: string }>(trpc(editor, "mutation", "workflow.create", { name: "Private", graph: validGraph(false) }));
    expect((await trpc(outsider, "query", "workflow.releaseState", { id })).status).toBe(404);
    expect((await trpc(outsider, "mutation", "workflow.publish", { id, note: "hi" })).status).toBe(404);
  });
});
