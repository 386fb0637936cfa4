import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Job, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { testAccess, testWorkspace } from "./support/workspace";
import type { WorkspaceAccess } from "../server/auth/access";
import type { Graph } from "../server/engine/graph";
import { buildGraph } from "../server/engine/test-helpers";
import { UserInputError } from "../server/errors";
import { newId } from "../server/ids";
import { checkCron, nextFireTimes } from "../server/schedules/cron";
import { catchUpMissedFires, fireSchedule } from "../server/schedules/fire";
import { closeSchedulesQueue, getSchedulesQueue, schedulerIdOf } from "../server/schedules/queue";
import { reconcileSchedulers, syncScheduler } from "../server/schedules/reconcile";
import { createSchedule, deleteSchedule, listSchedules, MAX_SCHEDULES_PER_WORKFLOW, setScheduleEnabled, updateSchedule, type ScheduleFields } from "../server/schedules/schedules";
import { createScheduleWorker } from "../server/schedules/worker";
import { publishVersion } from "../server/workflows/versions";
import { createWorkflow } from "../server/workflows/workflows";

/**
 * Schedules against the real thing: Postgres (the schedules), Redis (BullMQ job schedulers on
 * the "schedules" queue), two schedule consumers on their own connections, and the run worker.
 */

let harness: Harness;
let access: WorkspaceAccess;

/** A trigger with a required `city` and an optional `days` (number, default 3), then an output. */
function cityGraph(): Graph {
  return buildGraph(
    [
      ["trigger", "trigger", { inputFields: [{ name: "city", type: "string", required: true, default: "", description: "" }, { name: "days", type: "number", required: false, default: "3", description: "" }] }],
      ["output", "output"],
    ],
    [["trigger", "output"]],
  );
}

async function newWorkflow(options: { publish: boolean }): Promise<string> {
  const { id } = await createWorkflow(harness.db, access.workspaceId, { name: `sched ${newId("wf")}`, graph: cityGraph() });
  if (options.publish) await publishVersion(harness.db, access.workspaceId, id);
  return id;
}

const fields = (overrides: Partial<ScheduleFields> = {}): ScheduleFields => ({ name: "Morning", cron: "0 9 * * 1-5", timeZone: "Europe/Paris", enabled: false, input: { city: "Lyon" }, missedPolicy: "skip", ...overrides });

async function refusal(promise: Promise<unknown>): Promise<UserInputError> {
  const error = await promise.then(
    () => null,
    (cause: unknown) => cause,
  );
  expect(error).toBeInstanceOf(UserInputError);
  return error as UserInputError;
}

beforeAll(async () => {
  harness = await startHarness();
  access = await testAccess(harness.db);
  await testWorkspace(harness.db);
  // The test database outlives a run of this file: schedules an earlier run left on (one that
  // failed half-way) would fire into this run's queue once a reconcile rebuilds every scheduler.
  await harness.db.schedule.updateMany({ where: { enabled: true }, data: { enabled: false } });
});

afterAll(async () => {
  await getSchedulesQueue().obliterate({ force: true }).catch(() => undefined);
  await closeSchedulesQueue();
  await harness?.stop();
});

describe("cron expressions and time zones", () => {
  it("accepts five fields and names the wrong field otherwise", () => {
    expect(checkCron(" */15  9-17 * * MON-FRI ")).toEqual({ ok: true, cron: "*/15 9-17 * * MON-FRI" });
    expect(checkCron("* * * *")).toMatchObject({ ok: false, message: expect.stringContaining("must have 5 fields") });
    expect(checkCron("* * * * * *")).toMatchObject({ ok: false, message: expect.stringContaining("got 6") });
    expect(checkCron("61 * * * *")).toMatchObject({ ok: false, message: expect.stringMatching(/^minute field "61" is invalid/) });
    expect(checkCron("0 24 * * *")).toMatchObject({ ok: false, message: expect.stringMatching(/^hour field "24"/) });
    expect(checkCron("0 9 32 * *")).toMatchObject({ ok: false, message: expect.stringMatching(/^day of month field "32"/) });
    expect(checkCron("0 9 * 13 *")).toMatchObject({ ok: false, message: expect.stringMatching(/^month field "13"/) });
    expect(checkCron("0 9 * * funday")).toMatchObject({ ok: false, message: expect.stringMatching(/^day of week field "funday"/) });
  });

  it("computes the next five fire times in the schedule's time zone", () => {
    const from = new Date("2026-03-27T12:00:00Z"); // a Friday; Paris leaves winter time on Sunday the 29th
    const times = nextFireTimes("0 9 * * *", "Europe/Paris", from).map((time) => time.toISOString());
    expect(times).toEqual(["2026-03-28T08:00:00.000Z", "2026-03-29T07:00:00.000Z", "2026-03-30T07:00:00.000Z", "2026-03-31T07:00:00.000Z", "2026-04-01T07:00:00.000Z"]);
    expect(nextFireTimes("0 9 * * *", "America/New_York", from)[0]?.toISOString()).toBe("2026-03-27T13:00:00.000Z");
  });
});

describe("schedules of a workflow", () => {
  it("refuses a bad cron, time zone or input naming the field, and caps them per workflow", async () => {
    const workflowId = await newWorkflow({ publish: true });
    const cron = await refusal(createSchedule(harness.db, access, workflowId, fields({ cron: "0 25 * * *" })));
    expect(cron.path).toBe("cron");
    expect(cron.message).toContain('hour field "25"');
    const zone = await refusal(createSchedule(harness.db, access, workflowId, fields({ timeZone: "Mars/Olympus" })));
    expect(zone.path).toBe("timeZone");
    expect(zone.message).toContain("Mars/Olympus");
    const missing = await refusal(createSchedule(harness.db, access, workflowId, fields({ input: { days: 2 } })));
    expect(missing.path).toBe("input.city");
    const typed = await refusal(createSchedule(harness.db, access, workflowId, fields({ input: { city: "Lyon", days: "many" } })));
    expect(typed.path).toBe("input.days");

    for (let index = 0; index < MAX_SCHEDULES_PER_WORKFLOW; index += 1) await createSchedule(harness.db, access, workflowId, fields({ name: `s${index}` }));
    const cap = await refusal(createSchedule(harness.db, access, workflowId, fields()));
    expect(cap.message).toContain(`at most ${MAX_SCHEDULES_PER_WORKFLOW}`);

    const listed = await listSchedules(harness.db, access.workspaceId, workflowId);
    expect(listed.schedules).toHaveLength(MAX_SCHEDULES_PER_WORKFLOW);
    // The input is stored as checked: the default of `days` filled in.
    expect(listed.schedules[0]?.input).toEqual({ city: "Lyon", days: 3 });
    const audits = await harness.db.auditEntry.count({ where: { workspaceId: access.workspaceId, action: "workflow.schedule_created", targetId: workflowId } });
    expect(audits).toBe(MAX_SCHEDULES_PER_WORKFLOW);
  });

  it("keeps the BullMQ scheduler in step with the row, and a flushed Redis heals at reconcile", async () => {
    const workflowId = await newWorkflow({ publish: true });
    const { id } = await createSchedule(harness.db, access, workflowId, fields({ enabled: true, cron: "30 6 * * *", timeZone: "Asia/Tokyo" }));
    const queue = getSchedulesQueue();
    const scheduler = await queue.getJobScheduler(schedulerIdOf(id));
    expect(scheduler).toMatchObject({ pattern: "30 6 * * *", tz: "Asia/Tokyo" });
    expect(scheduler?.next).toBe(nextFireTimes("30 6 * * *", "Asia/Tokyo", new Date(), 1)[0]?.getTime());

    const listed = await listSchedules(harness.db, access.workspaceId, workflowId);
    expect(listed.schedules[0]?.nextFireTimes.map((time) => time.getTime())).toEqual(nextFireTimes("30 6 * * *", "Asia/Tokyo", new Date(), 5).map((time) => time.getTime()));

    await updateSchedule(harness.db, access, id, fields({ enabled: true, cron: "0 7 * * *", timeZone: "Asia/Tokyo" }));
    expect(await queue.getJobScheduler(schedulerIdOf(id))).toMatchObject({ pattern: "0 7 * * *" });

    // Redis loses everything: Postgres is the source of truth.
    await queue.obliterate({ force: true });
    expect(await queue.getJobScheduler(schedulerIdOf(id))).toBeUndefined();
    await reconcileSchedulers(harness.db);
    expect(await queue.getJobScheduler(schedulerIdOf(id))).toMatchObject({ pattern: "0 7 * * *", tz: "Asia/Tokyo" });

    await setScheduleEnabled(harness.db, access, id, false);
    expect(await queue.getJobScheduler(schedulerIdOf(id))).toBeUndefined();
    await setScheduleEnabled(harness.db, access, id, true);
    expect(await queue.getJobScheduler(schedulerIdOf(id))).toBeDefined();
    // A scheduler whose schedule is gone (deleted while Redis was away) is removed at reconcile.
    await harness.db.schedule.delete({ where: { id } });
    await reconcileSchedulers(harness.db);
    expect(await queue.getJobScheduler(schedulerIdOf(id))).toBeUndefined();

    const other = await createSchedule(harness.db, access, workflowId, fields({ enabled: true }));
    await deleteSchedule(harness.db, access, other.id);
    expect(await queue.getJobScheduler(schedulerIdOf(other.id))).toBeUndefined();
    expect(await harness.db.schedule.count({ where: { id: other.id } })).toBe(0);
  });

  it("never runs the draft: without a published version a fire is recorded as skipped", async () => {
    const workflowId = await newWorkflow({ publish: false });
    const { id } = await createSchedule(harness.db, access, workflowId, fields({ enabled: true }));
    const slotAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const outcome = await fireSchedule(harness.db, { scheduleId: id, slotAt, now: new Date() });
    expect(outcome).toMatchObject({ outcome: "skipped", reason: expect.stringContaining("no published version") });
    expect(await harness.db.run.count({ where: { workflowId } })).toBe(0);
    const listed = await listSchedules(harness.db, access.workspaceId, workflowId);
    expect(listed.schedules[0]?.lastFire).toMatchObject({ status: "skipped", runId: null, message: expect.stringContaining("no published version") });
    await deleteSchedule(harness.db, access, id);
  });
});

describe("firing", () => {
  it("two consumers on one Redis fire each per-second slot exactly once, running the published version", async () => {
    const workflowId = await newWorkflow({ publish: true });
    const published = await harness.db.workflowVersion.findFirstOrThrow({ where: { workflowId, publishedAt: { not: null } } });
    // The draft changes after publishing: scheduled runs must still run the published version.
    await harness.db.workflow.update({ where: { id: workflowId }, data: { draftGraph: buildGraph([["trigger", "trigger"], ["output", "output", { label: "Draft only" }]], [["trigger", "output"]]) as object } });
    // Six fields (seconds) are refused by the form, but the scheduler reads them: this row is written directly.
    const scheduleId = newId("sch");
    await harness.db.schedule.create({
      data: { id: scheduleId, workspaceId: access.workspaceId, workflowId, name: "Every second", cron: "* * * * * *", timeZone: "UTC", enabled: true, input: { city: "Nantes", days: 1 }, missedPolicy: "skip" },
    });

    const handled: { consumer: string; slotAt: number; outcome: string }[] = [];
    const consumers: Worker[] = ["A", "B"].map((name) => {
      const worker = createScheduleWorker(harness.db);
      worker.on("completed", (job: Job, result: { outcome: string }) => {
        if ((job.data as { scheduleId?: string }).scheduleId === scheduleId) handled.push({ consumer: name, slotAt: job.opts.prevMillis ?? 0, outcome: result.outcome });
      });
      return worker;
    });
    await Promise.all(consumers.map((worker) => worker.waitUntilReady()));
    await syncScheduler({ id: scheduleId, cron: "* * * * * *", timeZone: "UTC", enabled: true }, scheduleId);
    await waitUntil(() => handled.length >= 5, "five slots fired", 15_000);
    await syncScheduler(null, scheduleId);
    // Let any job already taken finish.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await Promise.all(consumers.map((worker) => worker.close()));

    const slots = handled.map((entry) => entry.slotAt);
    // One job per slot across both consumers, and no job ever found its slot already taken.
    expect(new Set(slots).size).toBe(slots.length);
    expect(handled.every((entry) => entry.outcome === "started")).toBe(true);
    for (const slot of slots) expect(slot % 1_000).toBe(0);

    const fires = await harness.db.scheduleFire.findMany({ where: { scheduleId }, orderBy: { slotAt: "asc" } });
    expect(fires.map((fire) => fire.slotAt.getTime()).sort()).toEqual([...slots].sort());
    const runs = await harness.db.run.findMany({ where: { workflowId }, select: { id: true, trigger: true, startedBy: true, versionId: true, input: true } });
    expect(runs).toHaveLength(slots.length);
    expect(new Set(fires.map((fire) => fire.runId))).toEqual(new Set(runs.map((run) => run.id)));
    for (const run of runs) {
      expect(run).toMatchObject({ trigger: "schedule", startedBy: 'Schedule "Every second"', versionId: published.id, input: { city: "Nantes", days: 1 } });
      await waitForRun(harness.db, run.id, ["succeeded"]);
    }
    await harness.db.schedule.update({ where: { id: scheduleId }, data: { enabled: false } });
  });

  it("run_once: one catch-up run for the slots missed while everything was down; skip: none", async () => {
    const now = new Date();
    const hourAgo = new Date(now.getTime() - 3_600_000);
    const makeMissed = async (missedPolicy: "skip" | "run_once") => {
      const workflowId = await newWorkflow({ publish: true });
      const { id } = await createSchedule(harness.db, access, workflowId, fields({ enabled: true, cron: "*/5 * * * *", timeZone: "UTC", missedPolicy }));
      // It last fired an hour ago: eleven or twelve slots went by unseen.
      await harness.db.schedule.update({ where: { id }, data: { lastSlotAt: hourAgo, createdAt: hourAgo } });
      return { id, workflowId };
    };
    const once = await makeMissed("run_once");
    const skip = await makeMissed("skip");

    // Two workers start at the same moment.
    const [first, second] = await Promise.all([catchUpMissedFires(harness.db, now), catchUpMissedFires(harness.db, now)]);
    const started = [...first, ...second].filter((outcome) => outcome.outcome === "started");
    const mine = await harness.db.run.findMany({ where: { workflowId: once.workflowId } });
    expect(mine).toHaveLength(1);
    expect(started.filter((outcome) => outcome.outcome === "started" && outcome.runId === mine[0]?.id)).toHaveLength(1);
    expect(mine[0]).toMatchObject({ trigger: "schedule", startedBy: 'Schedule "Morning" (catch-up)' });
    const latestSlot = Math.floor(now.getTime() / 300_000) * 300_000;
    const fire = await harness.db.scheduleFire.findFirstOrThrow({ where: { scheduleId: once.id } });
    expect(fire).toMatchObject({ kind: "catch_up", status: "started", runId: mine[0]?.id });
    expect(fire.slotAt.getTime()).toBe(latestSlot);
    expect(await harness.db.run.count({ where: { workflowId: skip.workflowId } })).toBe(0);

    // The overdue job Redis kept from before the outage arrives late: the slots are already caught up.
    expect(await fireSchedule(harness.db, { scheduleId: once.id, slotAt: new Date(hourAgo.getTime() + 300_000), now })).toMatchObject({ outcome: "ignored" });
    // …and with `skip`, it is recorded as missed, without a run.
    const late = await fireSchedule(harness.db, { scheduleId: skip.id, slotAt: new Date(Math.floor(hourAgo.getTime() / 300_000 + 1) * 300_000), now });
    expect(late).toMatchObject({ outcome: "skipped", reason: expect.stringContaining("missed") });
    expect(await harness.db.run.count({ where: { workflowId: skip.workflowId } })).toBe(0);
    // A second start finds nothing more to catch up.
    expect(await catchUpMissedFires(harness.db, now)).toEqual([]);
    await waitForRun(harness.db, mine[0]?.id ?? "", ["succeeded"]);
    await setScheduleEnabled(harness.db, access, once.id, false);
    await setScheduleEnabled(harness.db, access, skip.id, false);
  });
});

describe("worker processes", () => {
  const children: ChildProcess[] = [];

  function startWorkerProcess(): { child: ChildProcess; output: () => string } {
    const root = path.resolve(import.meta.dirname, "..");
    const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], { cwd: root, env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    children.push(child);
    return { child, output: () => seen };
  }

  afterAll(() => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
  });

  it("two workers/main.ts processes: each per-second slot fires once, and a missed run_once schedule catches up once", async () => {
    const everySecond = await newWorkflow({ publish: true });
    const missed = await newWorkflow({ publish: true });
    const everySecondId = newId("sch");
    await harness.db.schedule.create({
      data: { id: everySecondId, workspaceId: access.workspaceId, workflowId: everySecond, name: "Per second", cron: "* * * * * *", timeZone: "UTC", enabled: true, input: { city: "Brest", days: 2 }, missedPolicy: "skip" },
    });
    // Daily: both processes' catch-ups find the same latest slot unless one of them runs just past
    // 03:00 in Paris (with a slot every 10 minutes, two processes straddling a boundary each
    // caught up a slot of their own, one run per slot, and this test saw two runs).
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    const missedId = newId("sch");
    await harness.db.schedule.create({
      data: { id: missedId, workspaceId: access.workspaceId, workflowId: missed, name: "Daily report", cron: "0 3 * * *", timeZone: "Europe/Paris", enabled: true, input: { city: "Caen" }, missedPolicy: "run_once", lastSlotAt: twoDaysAgo, createdAt: twoDaysAgo },
    });
    // Nothing in Redis yet: the processes build the schedulers from Postgres when they start.
    expect(await getSchedulesQueue().getJobScheduler(schedulerIdOf(everySecondId))).toBeUndefined();

    const workers = [startWorkerProcess(), startWorkerProcess()];
    await waitUntil(() => workers.every((worker) => worker.output().includes("[worker] ready")), "both workers ready", 30_000);
    await waitUntil(async () => (await harness.db.scheduleFire.count({ where: { scheduleId: everySecondId } })) >= 5, "five per-second fires", 20_000);
    await setScheduleEnabled(harness.db, access, everySecondId, false);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const fires = await harness.db.scheduleFire.findMany({ where: { scheduleId: everySecondId }, orderBy: { slotAt: "asc" } });
    const runs = await harness.db.run.findMany({ where: { workflowId: everySecond }, select: { id: true, trigger: true } });
    expect(fires.every((fire) => fire.status === "started")).toBe(true);
    expect(runs).toHaveLength(fires.length);
    expect(new Set(fires.map((fire) => fire.runId))).toEqual(new Set(runs.map((run) => run.id)));
    // Each slot was one BullMQ job: none of the completed jobs found its slot already taken. (The
    // job of a slot after the switch-off finds the schedule off: ignored, no fire, not counted.)
    const outcomeOf = (job: { returnvalue: unknown }) => job.returnvalue as { outcome?: string; reason?: string } | null;
    let completed: Awaited<ReturnType<ReturnType<typeof getSchedulesQueue>["getCompleted"]>> = [];
    await waitUntil(
      async () => {
        completed = (await getSchedulesQueue().getCompleted(0, 1_000)).filter((job) => job.data.scheduleId === everySecondId && outcomeOf(job)?.reason !== "the schedule is off");
        return completed.length >= fires.length;
      },
      "every fire's job completed",
      10_000,
    );
    expect(completed.map((job) => outcomeOf(job)?.outcome)).toEqual(fires.map(() => "started"));
    expect(new Set(completed.map((job) => job.opts.prevMillis)).size).toBe(completed.length);

    // Both processes ran the startup catch-up: one run between them.
    const caughtUp = await harness.db.run.findMany({ where: { workflowId: missed } });
    expect(caughtUp).toHaveLength(1);
    expect(caughtUp[0]).toMatchObject({ trigger: "schedule", startedBy: 'Schedule "Daily report" (catch-up)', input: { city: "Caen", days: 3 } });
    for (const run of [...runs, ...caughtUp]) await waitForRun(harness.db, run.id, ["succeeded"]);
    await setScheduleEnabled(harness.db, access, missedId, false);

    for (const { child } of workers) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  }, 60_000);
});
