import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import { approvalGraph, outputOnlyGraph } from "./support/graphs";
import { appRouter } from "../server/api/root";
import { createCallerFactory, createTrpcContext } from "../server/api/trpc";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import { startRun } from "../server/runs/start-run";

/**
 * The workflow list over tRPC on the real database, as the browser calls it: search, tag
 * filter and sorts; rename, duplicate ("(copy)", "(copy 2)"), tags, delete with what it takes
 * along (runs cascade, and the count is told before and after); unique names for templated
 * and imported copies; who may do what; another workspace's ids are NOT_FOUND; bad names and
 * tags are 400s naming the field.
 */

let harness: Harness;
let editor: TestUser;
let operator: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let workspaceId: string;

const createCaller = createCallerFactory(appRouter);
async function callerFor(user: TestUser) {
  const req = new Request("http://localhost:3100/api/trpc", { headers: { cookie: user.cookie, host: "localhost:3100" } });
  return createCaller(await createTrpcContext({ req, resHeaders: new Headers() }));
}

async function trpcError(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

/** A mutation over the real HTTP route handler, to see the status and body a browser gets. */
async function postTrpc(user: TestUser, path: string, input: unknown): Promise<{ status: number; body: { error?: { json?: { message: string; data: { path: string | null; httpStatus: number } } } } }> {
  const request = new Request(`http://localhost:3100/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", host: "localhost:3100", cookie: user.cookie },
    body: JSON.stringify(input),
  });
  const response = await trpcRoute.POST(request);
  return { status: response.status, body: (await response.json()) as never };
}

async function finishedRun(workflowId: string): Promise<string> {
  const { runId } = await startRun(harness.db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "list test" });
  await waitForRun(harness.db, runId, ["succeeded"]);
  return runId;
}

beforeAll(async () => {
  harness = await startHarness();
  const owner = await createTestUser("list owner");
  editor = await createTestUser("list editor");
  operator = await createTestUser("list operator");
  viewer = await createTestUser("list viewer");
  outsider = await createTestUser("list outsider");
  workspaceId = await createWorkspaceWith(harness.db, "List workspace", [
    { user: owner, role: "owner" },
    { user: editor, role: "editor" },
    { user: operator, role: "operator" },
    { user: viewer, role: "viewer" },
  ]);
  await createWorkspaceWith(harness.db, "Outsider workspace", [{ user: outsider, role: "owner" }]);
}, 60_000);

afterAll(() => harness.stop());

describe("workflow list", () => {
  let refundId: string;
  let digestId: string;
  let triageId: string;

  it("searches by name or tag, filters by tag, sorts by name, last edit and last run", async () => {
    const api = await callerFor(editor);
    refundId = (await api.workflow.create({ name: "Refund approvals", graph: outputOnlyGraph() })).id;
    digestId = (await api.workflow.create({ name: "weekly digest", graph: outputOnlyGraph() })).id;
    triageId = (await api.workflow.create({ name: "Lead triage", graph: outputOnlyGraph() })).id;
    expect(await api.workflow.setTags({ id: refundId, tags: [" Billing ", "support", "billing"] })).toEqual({ id: refundId, tags: ["billing", "support"] });
    await api.workflow.setTags({ id: triageId, tags: ["sales"] });
    await finishedRun(digestId);
    await finishedRun(triageId);
    await finishedRun(triageId);

    const names = async (input?: Parameters<typeof api.workflow.list>[0]) => (await api.workflow.list(input)).map((row) => row.name);
    expect(await names({ q: "REFUND" })).toEqual(["Refund approvals"]);
    // "bill" is part of a tag, not of any name.
    expect(await names({ q: "bill" })).toEqual(["Refund approvals"]);
    expect(await names({ tag: "sales" })).toEqual(["Lead triage"]);
    expect(await names({ tag: "billing", q: "triage" })).toEqual([]);
    expect(await names({ sort: "name" })).toEqual(["Lead triage", "Refund approvals", "weekly digest"]);
    // Tagging edits the row: Lead triage was changed last.
    expect(await names({ sort: "edited" })).toEqual(["Lead triage", "Refund approvals", "weekly digest"]);
    expect(await names({ sort: "last_run" })).toEqual(["Lead triage", "weekly digest", "Refund approvals"]);

    const triage = (await api.workflow.list({ q: "triage" }))[0];
    expect(triage).toMatchObject({ id: triageId, tags: ["sales"], runCount: 2, nodeCount: 2, lastRun: { status: "succeeded" } });
    expect(await api.workflow.tags()).toEqual([
      { tag: "billing", count: 1 },
      { tag: "sales", count: 1 },
      { tag: "support", count: 1 },
    ]);
    // Without input (the pickers of other pages): everything, newest edit first.
    expect(await names()).toEqual(["Lead triage", "Refund approvals", "weekly digest"]);
  });

  it("renames, audited, and moves the draft revision on so an open editor's autosave conflicts", async () => {
    const api = await callerFor(editor);
    const before = await api.workflow.get({ id: digestId });
    expect(await api.workflow.rename({ id: digestId, name: "  Weekly digest  " })).toEqual({ id: digestId, name: "Weekly digest" });
    const after = await api.workflow.get({ id: digestId });
    expect(after.name).toBe("Weekly digest");
    expect(after.revision).toBe(before.revision + 1);
    const stale = await trpcError(api.workflow.saveDraft({ id: digestId, graph: before.graph, baseRevision: before.revision, name: "weekly digest" }));
    expect(stale.code).toBe("CONFLICT");
    const audit = await harness.db.auditEntry.findFirstOrThrow({ where: { workspaceId, action: "workflow.renamed", targetId: digestId } });
    expect(audit).toMatchObject({ targetName: "Weekly digest", details: { from: "weekly digest" } });
  });

  it("duplicates as \"(copy)\", then \"(copy 2)\"; a copy of a copy counts on; graph and tags come along, runs do not", async () => {
    const api = await callerFor(editor);
    await api.workflow.saveDraft({ id: refundId, graph: approvalGraph("Check the refund"), baseRevision: (await api.workflow.get({ id: refundId })).revision });
    const first = await api.workflow.duplicate({ id: refundId });
    const second = await api.workflow.duplicate({ id: refundId });
    const third = await api.workflow.duplicate({ id: first.id });
    expect([first.name, second.name, third.name]).toEqual(["Refund approvals (copy)", "Refund approvals (copy 2)", "Refund approvals (copy 3)"]);
    const copy = await api.workflow.get({ id: first.id });
    expect(copy.graph).toEqual((await api.workflow.get({ id: refundId })).graph);
    const [row] = await api.workflow.list({ q: "approvals (copy)" });
    expect(row).toMatchObject({ id: first.id, tags: ["billing", "support"], runCount: 0, lastRun: null });
    expect(await harness.db.workflowVersion.count({ where: { workflowId: first.id } })).toBe(0);
    const audit = await harness.db.auditEntry.findFirstOrThrow({ where: { workspaceId, action: "workflow.duplicated", targetId: first.id } });
    expect(audit.details).toEqual({ from: refundId, fromName: "Refund approvals" });
  });

  it("two duplicates at the same moment still get different names", async () => {
    const api = await callerFor(editor);
    const copies = await Promise.all([api.workflow.duplicate({ id: triageId }), api.workflow.duplicate({ id: triageId }), api.workflow.duplicate({ id: triageId })]);
    expect(copies.map((copy) => copy.name).sort()).toEqual(["Lead triage (copy 2)", "Lead triage (copy 3)", "Lead triage (copy)"]);
  });

  it("templated and imported copies get a free name instead of an existing workflow's", async () => {
    const api = await callerFor(editor);
    const fromTemplate = [];
    for (let i = 0; i < 3; i += 1) fromTemplate.push(await api.workflow.createFromTemplate({ templateId: "approval-gate" }));
    expect(fromTemplate.map((created) => created.name)).toEqual(["Approval gate", "Approval gate (copy)", "Approval gate (copy 2)"]);

    const file = await api.workflow.export({ id: digestId });
    const imported = await api.workflow.import({ fileText: JSON.stringify(file) });
    expect(imported.name).toBe("Weekly digest (copy)");
    expect((await api.workflow.get({ id: imported.id })).name).toBe("Weekly digest (copy)");
    // A file whose name nobody uses keeps it.
    const fresh = await api.workflow.import({ fileText: JSON.stringify({ ...file, name: "Brand new flow" }) });
    expect(fresh.name).toBe("Brand new flow");
  });

  it("deleting states the runs it takes along (the database cascades), then deletes them with it", async () => {
    const api = await callerFor(editor);
    const { id } = await api.workflow.create({ name: "Short-lived", graph: outputOnlyGraph() });
    const runIds = [await finishedRun(id), await finishedRun(id)];
    expect(await (await callerFor(viewer)).workflow.deleteImpact({ id })).toEqual({ id, name: "Short-lived", runs: 2, unfinishedRuns: 0, versions: 1, schedules: 0 });

    expect(await api.workflow.delete({ id })).toEqual({ ok: true, deletedRuns: 2 });
    expect(await harness.db.workflow.count({ where: { id } })).toBe(0);
    expect(await harness.db.run.count({ where: { id: { in: runIds } } })).toBe(0);
    expect(await harness.db.runStep.count({ where: { runId: { in: runIds } } })).toBe(0);
    const audit = await harness.db.auditEntry.findFirstOrThrow({ where: { workspaceId, action: "workflow.deleted", targetId: id } });
    expect(audit).toMatchObject({ targetName: "Short-lived", details: { deletedRuns: 2 } });
    expect((await trpcError(api.workflow.deleteImpact({ id }))).code).toBe("NOT_FOUND");
  });

  it("viewers and operators may list but not rename, duplicate, tag or delete", async () => {
    for (const user of [viewer, operator]) {
      const api = await callerFor(user);
      expect((await api.workflow.list({ q: "refund approvals" })).length).toBeGreaterThan(0);
      // Called one at a time: a refused call must not be an unhandled rejection while another is awaited.
      for (const attempt of [
        () => api.workflow.rename({ id: refundId, name: "Hijacked" }),
        () => api.workflow.duplicate({ id: refundId }),
        () => api.workflow.setTags({ id: refundId, tags: ["x"] }),
        () => api.workflow.delete({ id: refundId }),
      ]) {
        const error = await trpcError(attempt());
        expect(error.code).toBe("FORBIDDEN");
        expect(error.message).toMatch(/needs editor or above/);
      }
    }
    expect((await (await callerFor(editor)).workflow.get({ id: refundId })).name).toBe("Refund approvals");
  });

  it("another workspace's workflow is NOT_FOUND, and its list and tags show nothing of this one", async () => {
    const api = await callerFor(outsider);
    for (const attempt of [
      () => api.workflow.rename({ id: refundId, name: "Mine now" }),
      () => api.workflow.duplicate({ id: refundId }),
      () => api.workflow.setTags({ id: refundId, tags: ["mine"] }),
      () => api.workflow.delete({ id: refundId }),
      () => api.workflow.deleteImpact({ id: refundId }),
    ]) {
      expect((await trpcError(attempt())).code).toBe("NOT_FOUND");
    }
    expect(await api.workflow.list({ q: "refund" })).toEqual([]);
    expect(await api.workflow.tags()).toEqual([]);
    expect(await harness.db.workflow.findUniqueOrThrow({ where: { id: refundId }, select: { name: true, tags: true } })).toEqual({ name: "Refund approvals", tags: ["billing", "support"] });
  });

  it("bad names and tags are 400s naming the field", async () => {
    const cases: [string, unknown, string, RegExp][] = [
      ["workflow.rename", { id: refundId, name: "   " }, "name", /Name is required/],
      ["workflow.rename", { id: refundId, name: "n".repeat(121) }, "name", /120/],
      ["workflow.rename", { id: refundId }, "name", /.+/],
      ["workflow.setTags", { id: refundId, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "tags", /at most 10 tags/],
      ["workflow.setTags", { id: refundId, tags: ["ok", "x".repeat(33)] }, "tags.1", /at most 32 characters/],
      ["workflow.setTags", { id: refundId, tags: [" "] }, "tags.0", /must not be empty/],
      ["workflow.setTags", { id: refundId, tags: ["a,b"] }, "tags.0", /comma/],
      ["workflow.duplicate", { id: "../etc" }, "id", /not a valid id/],
    ];
    for (const [path, input, field, message] of cases) {
      const { status, body } = await postTrpc(editor, path, input);
      expect(status, `${path} ${JSON.stringify(input).slice(0, 60)}`).toBe(400);
      expect(body.error?.json?.data.path).toBe(field);
      expect(body.error?.json?.message).toMatch(new RegExp(`^${field.replace(".", "\\.")}: `));
      expect(body.error?.json?.message).toMatch(message);
    }
    // A missing workflow of this workspace is a 404, not a 500.
    expect((await postTrpc(editor, "workflow.rename", { id: "wf_missing", name: "x" })).status).toBe(404);
    expect((await harness.db.workflow.findUniqueOrThrow({ where: { id: refundId } })).tags).toEqual(["billing", "support"]);
  });
});
