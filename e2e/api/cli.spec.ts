import { spawn } from "node:child_process";
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { trpcMutation } from "../support/api";
import { approvalGraph } from "../support/graphs";

/**
 * `npx agentflow` against the running app, as an operator uses it: the real bin
 * (bin/agentflow.mjs → cli/main.ts) in a child process, talking only to the REST API with an
 * API key; its own config directory, so nothing of the machine's is read or written.
 */

type Result = { code: number | null; out: string; err: string };

/** Runs the bin with `env` over this process's environment, minus any AGENTFLOW_URL/AGENTFLOW_API_KEY it may carry. */
function cli(env: Record<string, string>, args: string[], onOutput?: (out: string) => void): { done: Promise<Result> } {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "AGENTFLOW_URL" && name !== "AGENTFLOW_API_KEY"));
  const child = spawn(process.execPath, [path.resolve("bin/agentflow.mjs"), ...args], { env: { ...inherited, ...env } as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    onOutput?.(out);
  });
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return { done: new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err }))) };
}

test.describe("the agentflow CLI", () => {
  test("login, list, run with --follow through a person's approval, answer the task, list and show runs", async ({ request, baseURL }) => {
    const configHome = await mkdtemp(path.join(tmpdir(), "agentflow-cli-"));
    const env = { XDG_CONFIG_HOME: configHome };
    const name = `CLI approval ${Date.now()}`;
    const { id: workflowId } = await trpcMutation(request, "workflow", "create", { name, graph: approvalGraph() });
    const { token: key } = await trpcMutation(request, "apiKeys", "create", { name: `cli ${Date.now()}`, scopes: ["read", "trigger", "control"] });

    // A wrong key is refused at login, in the server's words; nothing is saved.
    const refused = await cli(env, ["login", "--url", baseURL ?? "", "--key", "afk_wrong"]).done;
    expect(refused.code).toBe(3);
    expect(refused.err).toContain("401 unauthorized");

    const login = await cli(env, ["login", "--url", baseURL ?? "", "--key", key]).done;
    expect(login.err).toBe("");
    expect(login.code).toBe(0);
    expect(login.out).toContain(`Logged in to ${baseURL}`);
    // The saved key is readable by its owner only.
    expect((await stat(path.join(configHome, "agentflow", "config.json"))).mode & 0o777).toBe(0o600);

    const list = await cli(env, ["workflows", "ls"]).done;
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`${workflowId}\\s+${name}`));

    // --follow prints each node as it goes, stops at the person, and ends once the task is answered.
    let waiting: () => void = () => undefined;
    const reachedPerson = new Promise<void>((resolve) => (waiting = resolve));
    const follow = cli(env, ["run", name, "topic=quarterly billing", "--follow"], (out) => {
      if (out.includes("waits for a person")) waiting();
    });
    await Promise.race([reachedPerson, follow.done.then((result) => Promise.reject(new Error(`follow ended early: ${JSON.stringify(result)}`)))]);

    const tasks = await cli(env, ["tasks", "ls", "--workflow", workflowId]).done;
    expect(tasks.code).toBe(0);
    const taskId = /\b(ht_[A-Za-z0-9_-]+)/.exec(tasks.out)?.[1];
    expect(taskId, tasks.out).toBeTruthy();
    const approved = await cli(env, ["tasks", "approve", taskId ?? "", "--reason", "looks right"]).done;
    expect(approved.code).toBe(0);
    expect(approved.out).toContain(`Approved ${taskId}`);

    const followed = await follow.done;
    expect(followed.code, followed.err).toBe(0);
    const lines = followed.out.split("\n");
    expect(lines.some((line) => /^\[0\/1\] ▶ trigger started$/.test(line))).toBe(true);
    expect(lines.some((line) => /✓ agent_1 done in \d+\.\d s$/.test(line))).toBe(true);
    expect(lines.some((line) => /⏸ review waits for a person: Please review the previous step\./.test(line))).toBe(true);
    expect(lines.some((line) => /✔ review: approve by API key “cli /.test(line))).toBe(true);
    expect(followed.out).toContain("■ run succeeded");
    expect(followed.out).toContain("quarterly billing");
    const runId = /Started (run_[A-Za-z0-9_-]+)/.exec(followed.out)?.[1] ?? "";

    const runs = await cli(env, ["runs", "ls", "--workflow", workflowId]).done;
    expect(runs.out).toMatch(new RegExp(`${runId}\\s+${name}\\s+succeeded\\s+api`));
    const show = await cli(env, ["runs", "show", runId]).done;
    expect(show.out).toMatch(new RegExp(`^${runId}\\s+succeeded`));
  });

  test("--wait returns the run's state, cancel stops a run, and mistakes are explained with their exit codes", async ({ request, baseURL }) => {
    const configHome = await mkdtemp(path.join(tmpdir(), "agentflow-cli-"));
    const { token: key } = await trpcMutation(request, "apiKeys", "create", { name: `cli env ${Date.now()}`, scopes: ["read", "trigger", "control"] });
    // Without a saved login: the environment carries both.
    const env = { XDG_CONFIG_HOME: configHome, AGENTFLOW_URL: baseURL ?? "", AGENTFLOW_API_KEY: key };
    const { id: workflowId } = await trpcMutation(request, "workflow", "create", { name: `CLI wait ${Date.now()}`, graph: approvalGraph() });

    const waited = await cli(env, ["run", workflowId, "--input", '{"topic":"vendor contract"}', "--wait"]).done;
    // The run stops at the person: --wait says so, with the task to answer, and exits 1 (not succeeded).
    expect(waited.code).toBe(1);
    expect(waited.out).toMatch(/^run_\S+ waiting_for_human/);
    expect(waited.out).toMatch(/waiting for a person at review: Please review the previous step\. \(task ht_/);
    const runId = /^(run_\S+)/.exec(waited.out)?.[1] ?? "";
    const cancelled = await cli(env, ["runs", "cancel", runId]).done;
    expect(cancelled.code).toBe(0);
    expect((await cli(env, ["runs", "show", runId]).done).out).toMatch(new RegExp(`^${runId}\\s+cancelled`));
    // --json: the API's answers as they came, for scripts.
    const shown = await cli(env, ["runs", "show", runId, "--json"]).done;
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({ runId, workflowId, status: "cancelled" });
    const listed = JSON.parse((await cli(env, ["runs", "ls", "--workflow", workflowId, "--json"]).done).out) as { runs: { id: string }[] };
    expect(listed.runs.map((item) => item.id)).toContain(runId);
    const workflowList = JSON.parse((await cli(env, ["workflows", "ls", "--json"]).done).out) as { workflows: { id: string }[] };
    expect(workflowList.workflows.map((workflow) => workflow.id)).toContain(workflowId);
    const started = await cli(env, ["run", workflowId, "topic=json", "--wait", "--json"]).done;
    expect(started.code).toBe(1);
    const waiting = JSON.parse(started.out) as { runId: string; status: string; pendingHumanTasks: { id: string }[] };
    expect(waiting.status).toBe("waiting_for_human");
    const tasksJson = JSON.parse((await cli(env, ["tasks", "ls", "--workflow", workflowId, "--json"]).done).out) as { tasks: { id: string }[] };
    expect(tasksJson.tasks.map((task) => task.id)).toContain(waiting.pendingHumanTasks[0]?.id);
    expect((await cli(env, ["runs", "cancel", waiting.runId]).done).code).toBe(0);

    // A command's --help: its own usage lines, exit 0 (not an unknown-option error).
    const help = await cli(env, ["runs", "ls", "--help"]).done;
    expect(help.code).toBe(0);
    expect(help.out).toContain("agentflow runs ls [--workflow <id>]");
    expect(help.out).toContain("agentflow runs cancel <run id>");
    expect(help.out).not.toContain("agentflow tasks");

    const unknown = await cli(env, ["run", "no such workflow"]).done;
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no workflow "no such workflow"');
    const badInput = await cli(env, ["run", workflowId, "--input", "{not json"]).done;
    expect(badInput.code).toBe(2);
    expect(badInput.err).toContain("--input is not valid JSON");
    const badTask = await cli(env, ["tasks", "approve", "ht_doesnotexist"]).done;
    expect(badTask.code).toBe(3);
    expect(badTask.err).toMatch(/not found \[404 not_found\]/i);
  });
});
