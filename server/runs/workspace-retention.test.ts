import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "../db";
import { newId, RUN_ID_PATTERN } from "../ids";
import { createWorkspaceSweeper, sweepWorkspaces } from "./workspace-retention";

/**
 * The sweep's batching and scheduling against a stand-in for `db.run` (the database side —
 * real runs in every status, deleted workflows, symlinks — is in tests/workspace-retention.test.ts).
 */

type Row = { id: string; status: string; finishedAt: Date | null };
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 15, 12);

let root: string;

function fakeDb(rows: Row[]) {
  const queries: string[][] = [];
  const findMany = vi.fn(async (args: { where: { id: { in: string[] } } }) => {
    queries.push(args.where.id.in);
    return rows.filter((row) => args.where.id.in.includes(row.id));
  });
  return { db: { run: { findMany } } as unknown as Pick<Db, "run">, queries };
}

async function workspace(runId: string) {
  await mkdir(join(root, runId, "notes"), { recursive: true });
  await writeFile(join(root, runId, "notes", "a.md"), "a");
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "agentflow-retention-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("sweepWorkspaces", () => {
  it("matches exactly the ids newId makes", () => {
    for (let i = 0; i < 50; i++) expect(newId("run")).toMatch(RUN_ID_PATTERN);
    for (const name of ["run_", "run_short", `wf_${"a".repeat(16)}`, `run_${"a".repeat(15)}.`, `run_${"a".repeat(17)}`, `../run_${"a".repeat(16)}`]) {
      expect(name).not.toMatch(RUN_ID_PATTERN);
    }
  });

  it("looks runs up one query per batch and deletes only ended-long-ago and orphaned workspaces", async () => {
    const rows: Row[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 7; i++) {
      const id = newId("run");
      const old = i % 2 === 0;
      rows.push({ id, status: "succeeded", finishedAt: new Date(NOW - (old ? 25 : 23) * HOUR) });
      if (old) expected.push(id);
      await workspace(id);
    }
    const orphan = newId("run");
    await workspace(orphan);
    expected.push(orphan);
    const running = newId("run");
    rows.push({ id: running, status: "running", finishedAt: new Date(NOW - 100 * HOUR) });
    await workspace(running);

    const { db, queries } = fakeDb(rows);
    const report = await sweepWorkspaces(db, { root, retentionMs: 24 * HOUR, now: () => NOW, batchSize: 4 });

    expect(queries.map((batch) => batch.length)).toEqual([4, 4, 1]);
    expect(report.checked).toBe(9);
    expect(report.failed).toEqual([]);
    expect(report.deleted.map((entry) => entry.runId).sort()).toEqual([...expected].sort());
    expect(report.deleted.find((entry) => entry.runId === orphan)?.reason).toBe("orphaned");
    expect((await readdir(root)).sort()).toEqual(rows.map((row) => row.id).filter((id) => !expected.includes(id)).sort());
  });

  it("does nothing, and asks nothing, when the root is missing or holds no run workspaces", async () => {
    const { db, queries } = fakeDb([]);
    expect(await sweepWorkspaces(db, { root: join(root, "missing"), retentionMs: 0 })).toEqual({ checked: 0, deleted: [], failed: [] });
    await mkdir(join(root, "notes"));
    await writeFile(join(root, newId("run")), "a file named like a run");
    expect(await sweepWorkspaces(db, { root, retentionMs: 0 })).toEqual({ checked: 0, deleted: [], failed: [] });
    expect(queries).toEqual([]);
    expect(await readdir(root)).toHaveLength(2);
  });

  it("stops between folders once aborted", async () => {
    for (let i = 0; i < 3; i++) await workspace(newId("run"));
    const abort = new AbortController();
    abort.abort();
    const { db } = fakeDb([]);
    expect((await sweepWorkspaces(db, { root, retentionMs: HOUR, signal: abort.signal })).deleted).toEqual([]);
    expect(await readdir(root)).toHaveLength(3);
  });
});

describe("createWorkspaceSweeper", () => {
  const quiet = () => ({ log: vi.fn(), error: vi.fn() });

  it("sweeps at the first tick, then not again before everyMs, and logs what it deleted", async () => {
    await workspace(newId("run"));
    const { db, queries } = fakeDb([]);
    const log = quiet();
    const sweeper = createWorkspaceSweeper(db, { root, retentionMs: HOUR, everyMs: 60_000, log });
    const first = sweeper.tick();
    await sweeper.tick(); // the first sweep is still going: no second one
    await first;
    await sweeper.tick(); // too soon after the first
    await sweeper.stop();
    expect(queries).toHaveLength(1);
    expect(await readdir(root)).toEqual([]);
    expect(log.log).toHaveBeenCalledWith(expect.stringContaining("deleted 1"));
  });

  it("logs a failed sweep instead of throwing", async () => {
    await workspace(newId("run"));
    const db = { run: { findMany: vi.fn(async () => Promise.reject(new Error("database is down"))) } } as unknown as Pick<Db, "run">;
    const log = quiet();
    const sweeper = createWorkspaceSweeper(db, { root, retentionMs: HOUR, everyMs: 0, log });
    await sweeper.tick();
    await sweeper.stop();
    expect(log.error).toHaveBeenCalledWith(expect.stringContaining("database is down"));
    expect(await readdir(root)).toHaveLength(1);
  });

  it("never sweeps when retention is 0", async () => {
    await workspace(newId("run"));
    const { db, queries } = fakeDb([]);
    const sweeper = createWorkspaceSweeper(db, { root, retentionMs: 0, everyMs: 0, log: quiet() });
    await sweeper.tick();
    await sweeper.stop();
    expect(queries).toEqual([]);
    expect(await readdir(root)).toHaveLength(1);
  });
});
