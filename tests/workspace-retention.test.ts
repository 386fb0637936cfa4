import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, type Harness } from "./support/harness";
import type { Db } from "../server/db";
import { starterGraph } from "../server/engine/graph";
import { newId } from "../server/ids";
import { cancelRun } from "../server/runs/control";
import { startRun } from "../server/runs/start-run";
import { sweepWorkspaces } from "../server/runs/workspace-retention";
import { createWorkflow, deleteWorkflow } from "../server/workflows/workflows";
import { testWorkspace, testRunScope } from "./support/workspace";

/**
 * The workspace retention sweep against the real database: runs in every status, a deleted
 * workflow, orphaned folders, entries that are not workspaces, and symbolic links that point
 * out of the root.
 */

let harness: Harness;
let db: Db;
let base: string;
let root: string;
let outside: string;
const workflowIds: string[] = [];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION_MS = 7 * DAY;

beforeAll(async () => {
  // No worker: runs stay exactly in the status the test gives them.
  harness = await startHarness({ worker: false });
  db = harness.db;
  base = await mkdtemp(join(tmpdir(), "agentflow-retention-"));
  root = join(base, "workspaces");
  outside = join(base, "outside");
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(outside, "precious.txt"), "keep me");
});

afterAll(async () => {
  // Runs whose status the test set by hand do not replay from their log: remove them before
  // the harness checks that every stored run does.
  for (const id of workflowIds) await deleteWorkflow(db, await testWorkspace(db), id).catch(() => undefined);
  await harness.stop();
  await rm(base, { recursive: true, force: true });
});

async function newWorkflow(): Promise<string> {
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: `retention ${Date.now()}`, graph: starterGraph() });
  workflowIds.push(id);
  return id;
}

/** A workspace as the file tools leave it: a file at the top and one in a folder. */
async function workspace(runId: string, under = root): Promise<void> {
  await mkdir(join(under, runId, "notes"), { recursive: true });
  await writeFile(join(under, runId, "plan.md"), "ship on friday");
  await writeFile(join(under, runId, "notes", "today.md"), "notes");
}

it("deletes the workspaces of runs that ended long ago or no longer exist, and nothing else", async () => {
  const now = Date.now();
  const workflowId = await newWorkflow();
  const start = async () => (await startRun(db, { ...(await testRunScope(db)), workflowId, input: { topic: "retention" }, trigger: "manual" })).runId;
  /** A run forced into `status`, with `finishedAt` as given (null: none recorded). */
  const runIn = async (status: string, finishedAgoMs: number | null, createdAgoMs = 30 * DAY) => {
    const runId = await start();
    await db.run.update({
      where: { id: runId },
      data: {
        status,
        createdAt: new Date(now - createdAgoMs),
        finishedAt: finishedAgoMs === null ? null : new Date(now - finishedAgoMs),
      },
    });
    await workspace(runId);
    return runId;
  };

  const keep: Record<string, string> = {
    queued: await start(),
    running: await runIn("running", null),
    waitingForHuman: await runIn("waiting_for_human", null),
    // Not ended, whatever an old timestamp says.
    paused: await runIn("paused", 30 * DAY),
    runningWithStaleFinish: await runIn("running", 30 * DAY),
    succeededRecently: await runIn("succeeded", HOUR),
    failedJustInside: await runIn("failed", RETENTION_MS - HOUR),
    // Ended, but when is unknown: kept rather than guessed.
    cancelledWithoutFinish: await runIn("cancelled", null),
  };
  await workspace(keep.queued as string);
  const remove: Record<string, string> = {
    succeeded: await runIn("succeeded", 8 * DAY),
    failed: await runIn("failed", 8 * DAY),
    cancelled: await runIn("cancelled", RETENTION_MS + HOUR),
    rejected: await runIn("rejected", 30 * DAY),
  };

  // Its workflow is deleted (runs cascade): the folder is an orphan.
  const deletedWorkflowId = await newWorkflow();
  const { runId: runOfDeletedWorkflow } = await startRun(db, { ...(await testRunScope(db)), workflowId: deletedWorkflowId, input: {}, trigger: "manual" });
  await workspace(runOfDeletedWorkflow);
  await deleteWorkflow(db, await testWorkspace(db), deletedWorkflowId);
  // A folder for a run that never existed.
  const neverExisted = newId("run");
  await workspace(neverExisted);
  const orphans = [runOfDeletedWorkflow, neverExisted];

  // An expired workspace holding links out of the root: deleting it must not follow them.
  await symlink(outside, join(root, remove.succeeded as string, "escape"));
  await symlink(join(outside, "precious.txt"), join(root, remove.failed as string, "notes", "precious-link"));
  // Entries that are not run workspaces are left alone: a link named like an (orphaned) run
  // id that points out of the root, a file named like one, folders with other names.
  const linkNamedLikeRun = newId("run");
  await symlink(outside, join(root, linkNamedLikeRun));
  const fileNamedLikeRun = newId("run");
  await writeFile(join(root, fileNamedLikeRun), "not a folder");
  await mkdir(join(root, "run_backup"));
  await writeFile(join(root, "run_backup", "old.md"), "mine");
  await mkdir(join(root, "shared"));

  let queries = 0;
  const countingDb = {
    run: {
      findMany: ((args: Parameters<Db["run"]["findMany"]>[0]) => {
        queries++;
        return db.run.findMany(args);
      }) as Db["run"]["findMany"],
    },
  } as Pick<Db, "run">;
  const report = await sweepWorkspaces(countingDb, { root, retentionMs: RETENTION_MS, now: () => now, batchSize: 5 });

  const workspaces = [...Object.values(keep), ...Object.values(remove), ...orphans];
  expect(report.checked).toBe(workspaces.length);
  expect(queries).toBe(Math.ceil(workspaces.length / 5));
  expect(report.failed).toEqual([]);
  expect(report.deleted.filter((entry) => entry.reason === "ended").map((entry) => entry.runId).sort()).toEqual(Object.values(remove).sort());
  expect(report.deleted.filter((entry) => entry.reason === "orphaned").map((entry) => entry.runId).sort()).toEqual([...orphans].sort());

  expect((await readdir(root)).sort()).toEqual(
    [...Object.values(keep), linkNamedLikeRun, fileNamedLikeRun, "run_backup", "shared"].sort(),
  );
  for (const runId of Object.values(keep)) {
    expect(await readFile(join(root, runId, "notes", "today.md"), "utf8"), `workspace of ${runId}`).toBe("notes");
  }
  expect((await lstat(join(root, linkNamedLikeRun))).isSymbolicLink()).toBe(true);
  expect(await readdir(outside)).toEqual(["precious.txt"]);
  expect(await readFile(join(outside, "precious.txt"), "utf8")).toBe("keep me");
  expect(await readFile(join(root, "run_backup", "old.md"), "utf8")).toBe("mine");

  // A second sweep finds nothing more to do.
  const again = await sweepWorkspaces(db, { root, retentionMs: RETENTION_MS, now: () => now });
  expect(again.deleted).toEqual([]);
  expect(again.checked).toBe(Object.values(keep).length);
});

it("keeps a cancelled run's workspace until the retention has passed since it ended", async () => {
  const workflowId = await newWorkflow();
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId, input: {}, trigger: "manual" });
  await cancelRun(db, runId);
  const { finishedAt } = await db.run.findUniqueOrThrow({ where: { id: runId } });
  expect(finishedAt).toBeInstanceOf(Date);
  const endedAt = (finishedAt as Date).getTime();
  const ownRoot = join(base, "cancelled");
  await workspace(runId, ownRoot);

  const at = (ms: number) => sweepWorkspaces(db, { root: ownRoot, retentionMs: RETENTION_MS, now: () => ms });
  expect((await at(endedAt + RETENTION_MS - 1)).deleted).toEqual([]);
  expect(await readdir(join(ownRoot, runId))).toEqual(["notes", "plan.md"]);
  expect((await at(endedAt + RETENTION_MS + 1)).deleted).toEqual([{ runId, reason: "ended" }]);
  expect(await readdir(ownRoot)).toEqual([]);
});

it("treats a missing workspaces root as empty", async () => {
  expect(await sweepWorkspaces(db, { root: join(base, "does-not-exist"), retentionMs: RETENTION_MS })).toEqual({ checked: 0, deleted: [], failed: [] });
});
