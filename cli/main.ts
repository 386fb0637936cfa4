import { parseArgs } from "node:util";
import { ApiError, RestClient, UnreachableError } from "./client";
import { loadConfig, saveConfig, type CliConfig } from "./config";
import { followRun } from "./follow";
import { runInputOf, UsageError } from "./input";
import { TERMINAL_STATUSES, type RunDetail, type RunItem, type TaskItem, type WorkflowItem } from "./api-types";

/**
 * `agentflow` — the command line for AgentFlow's REST API (an API key, never the database).
 * Exit codes: 0 done (a run that succeeded), 1 a run that did not succeed, 2 a usage mistake,
 * 3 the server refused or could not be reached.
 */

const USAGE = `agentflow — run and operate AgentFlow workflows from the command line

  agentflow login --url <app URL> --key <API key>     save where the app is and the key (scopes: read, trigger, control)
  agentflow workflows ls [--json]                     the workspace's workflows
  agentflow run <workflow id or name> [key=value …] [--input @file.json | --input '<json>'] [--wait | --follow] [--json]
  agentflow runs ls [--workflow <id>] [--status <s,…>] [--limit <n>] [--json]
  agentflow runs show <run id> [--json]
  agentflow runs cancel <run id>
  agentflow tasks ls [--workflow <id>] [--json]
  agentflow tasks approve <task id> [--reason <text>]
  agentflow tasks reject <task id> [--reason <text>]
  agentflow tasks answer <task id> <answer>

--json prints the API's answer as JSON instead of a table (for scripts, e.g. with jq).
AGENTFLOW_URL and AGENTFLOW_API_KEY, when set, are used instead of the saved login.`;

/** `--json`, on the commands that print what the API answered. */
const JSON_OPTION = { json: { type: "boolean" } } as const;

export type Io = { out: (line: string) => void; err: (line: string) => void; env: NodeJS.ProcessEnv };

const processIo: Io = { out: (line) => console.log(line), err: (line) => console.error(line), env: process.env };

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`agentflow: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ApiError) {
      io.err(`agentflow: ${error.message}${error.path ? ` (at ${error.path})` : ""} [${error.status} ${error.code}]`);
      return 3;
    }
    if (error instanceof UnreachableError) {
      io.err(`agentflow: ${error.message}`);
      return 3;
    }
    io.err(`agentflow: ${error instanceof Error ? error.message : String(error)}`);
    return 3;
  }
}

/** The usage lines of one command (`agentflow runs --help`), or null for a command there is none of. */
function usageOf(command: string): string | null {
  const lines = USAGE.split("\n");
  const own = lines.filter((line) => line.startsWith(`  agentflow ${command} `));
  if (own.length === 0) return null;
  // The title, the command's lines, and the notes after the last command line.
  const notes = lines.slice(lines.findLastIndex((line) => line.startsWith("  agentflow ")) + 1);
  return [lines[0], "", ...own, ...notes].join("\n");
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  // `agentflow <command> --help` (or -h) before any `--`: that command's usage, not an unknown-option error.
  const separator = rest.indexOf("--");
  const options = separator === -1 ? rest : rest.slice(0, separator);
  if (command !== undefined && (options.includes("--help") || options.includes("-h"))) {
    const usage = usageOf(command);
    if (usage === null) throw new UsageError(`unknown command "${command}"`);
    io.out(usage);
    return 0;
  }
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.out(USAGE);
      return 0;
    case "login":
      return login(rest, io);
    case "workflows":
      return workflows(rest, io);
    case "run":
      return run(rest, io);
    case "runs":
      return runs(rest, io);
    case "tasks":
      return tasks(rest, io);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parse<T extends Record<string, { type: "string" | "boolean" }>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function clientFrom(io: Io): Promise<RestClient> {
  const config = await loadConfig(io.env);
  if (!config) throw new UsageError(`not logged in: run \`agentflow login --url <app URL> --key <API key>\` (or set AGENTFLOW_URL and AGENTFLOW_API_KEY)`);
  return new RestClient(config);
}

async function login(args: readonly string[], io: Io): Promise<number> {
  const { values } = parse(args, { url: { type: "string" }, key: { type: "string" } });
  const url = values.url ?? io.env.AGENTFLOW_URL;
  const apiKey = values.key ?? io.env.AGENTFLOW_API_KEY;
  if (!url || !apiKey) throw new UsageError("login needs --url and --key");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url "${url}" is not a URL`);
  }
  const config: CliConfig = { url: parsed.origin + parsed.pathname.replace(/\/+$/, ""), apiKey };
  // Checked before it is saved: a wrong URL or key is said now, not at the next command.
  const { workflows: list } = await new RestClient(config).get<{ workflows: WorkflowItem[] }>("/api/v1/workflows");
  const file = await saveConfig(config, io.env);
  io.out(`Logged in to ${config.url} (${list.length} workflow${list.length === 1 ? "" : "s"} visible). Saved in ${file}.`);
  return 0;
}

async function workflows(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "ls" && sub !== "list") throw new UsageError(`workflows ${sub ?? ""}: use \`workflows ls\``);
  const { values } = parse(rest, JSON_OPTION);
  const answer = await (await clientFrom(io)).get<{ workflows: WorkflowItem[] }>("/api/v1/workflows");
  if (values.json) return printJson(io, answer);
  const list = answer.workflows;
  table(
    io,
    ["ID", "NAME", "PUBLISHED", "LAST RUN"],
    list.map((workflow) => [workflow.id, workflow.name, workflow.published ? `v${workflow.published.version}` : "—", workflow.lastRun ? `${workflow.lastRun.status} ${ago(workflow.lastRun.createdAt)}` : "—"]),
  );
  return 0;
}

/** A workflow named by id, or by its exact name (one match). */
async function resolveWorkflow(client: RestClient, nameOrId: string): Promise<WorkflowItem> {
  const { workflows: list } = await client.get<{ workflows: WorkflowItem[] }>("/api/v1/workflows");
  const byId = list.find((workflow) => workflow.id === nameOrId);
  if (byId) return byId;
  const byName = list.filter((workflow) => workflow.name === nameOrId);
  if (byName.length === 1 && byName[0]) return byName[0];
  if (byName.length > 1) throw new UsageError(`${byName.length} workflows are named "${nameOrId}": use an id (${byName.map((workflow) => workflow.id).join(", ")})`);
  throw new UsageError(`no workflow "${nameOrId}" (see \`agentflow workflows ls\`)`);
}

async function run(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { input: { type: "string" }, wait: { type: "boolean" }, follow: { type: "boolean" }, ...JSON_OPTION });
  const [target, ...pairs] = positionals;
  if (!target) throw new UsageError("run needs a workflow id or name");
  if (values.wait && values.follow) throw new UsageError("--wait and --follow: choose one");
  if (values.json && values.follow) throw new UsageError("--json and --follow: choose one (--wait --json prints the ended run)");
  const input = await runInputOf(values.input, pairs);
  const client = await clientFrom(io);
  const workflow = await resolveWorkflow(client, target);
  const started = await client.post<{ runId: string; statusUrl: string }>(`/api/v1/workflows/${workflow.id}/trigger`, input === undefined ? {} : { input });
  const { runId } = started.body;
  if (!values.wait && !values.follow) {
    if (values.json) return printJson(io, started.body);
    io.out(`Started ${runId} (${workflow.name}). Follow it: agentflow runs show ${runId}`);
    return 0;
  }
  if (values.follow) {
    io.out(`Started ${runId} (${workflow.name})`);
    const result = await followRun(client, runId, io.out);
    printOutput(io, result.output);
    return result.status === "succeeded" ? 0 : 1;
  }
  const detail = await waitForRun(client, runId);
  if (values.json) {
    printJson(io, detail);
    return detail.status === "succeeded" ? 0 : 1;
  }
  io.out(`${runId} ${detail.status}${detail.error ? `: ${detail.error}` : ""}`);
  if (detail.status === "waiting_for_human") for (const task of detail.pendingHumanTasks) io.out(`  waiting for a person at ${task.nodeId}: ${task.message} (task ${task.id})`);
  printOutput(io, detail.output);
  return detail.status === "succeeded" ? 0 : 1;
}

/** Until the run ends or waits for a person (who may take hours: --wait does not sit through that). */
async function waitForRun(client: RestClient, runId: string): Promise<RunDetail> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    const detail = await client.get<RunDetail>(`/api/v1/runs/${runId}`);
    if (TERMINAL_STATUSES.has(detail.status) || detail.status === "waiting_for_human") return detail;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function printOutput(io: Io, output: unknown) {
  if (output === undefined || output === null) return;
  io.out(typeof output === "string" ? output : JSON.stringify(output, null, 2));
}

async function runs(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const client = await clientFrom(io);
  switch (sub) {
    case "ls":
    case "list": {
      const { values } = parse(rest, { workflow: { type: "string" }, status: { type: "string" }, limit: { type: "string" }, ...JSON_OPTION });
      const query = new URLSearchParams();
      if (values.workflow) query.set("workflowId", values.workflow);
      if (values.status) query.set("status", values.status);
      query.set("limit", values.limit ?? "20");
      const page = await client.get<{ runs: RunItem[] }>(`/api/v1/runs?${query}`);
      if (values.json) return printJson(io, page);
      table(
        io,
        ["ID", "WORKFLOW", "STATUS", "TRIGGER", "STARTED", "DURATION", "COST"],
        page.runs.map((item) => [item.id, item.workflowName, item.status, item.trigger, ago(item.createdAt), item.durationMs === null ? "—" : `${(item.durationMs / 1000).toFixed(1)} s`, cost(item.costUsd, item.unpricedCalls)]),
      );
      return 0;
    }
    case "show": {
      const { values, positionals } = parse(rest, JSON_OPTION);
      const runId = positionals[0];
      if (!runId) throw new UsageError("runs show needs a run id");
      const detail = await client.get<RunDetail>(`/api/v1/runs/${encodeURIComponent(runId)}`);
      if (values.json) return printJson(io, detail);
      io.out(`${detail.runId}  ${detail.status}  started ${ago(detail.createdAt)}  ${detail.steps} steps  ${detail.tokens} tokens  ${cost(detail.costUsd, 0)}`);
      if (detail.error) io.out(`error: ${detail.error}`);
      for (const task of detail.pendingHumanTasks) io.out(`waiting for a person at ${task.nodeId}: ${task.message} (task ${task.id})`);
      printOutput(io, detail.output);
      return 0;
    }
    case "cancel": {
      const { positionals } = parse(rest, {});
      const runId = positionals[0];
      if (!runId) throw new UsageError("runs cancel needs a run id");
      await client.post(`/api/v1/runs/${encodeURIComponent(runId)}/cancel`);
      io.out(`Cancelled ${runId}`);
      return 0;
    }
    default:
      throw new UsageError(`runs ${sub ?? ""}: use ls, show or cancel`);
  }
}

async function tasks(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const client = await clientFrom(io);
  if (sub === "ls" || sub === "list") {
    const { values } = parse(rest, { workflow: { type: "string" }, ...JSON_OPTION });
    const answer = await client.get<{ tasks: TaskItem[] }>(`/api/v1/human-tasks${values.workflow ? `?workflowId=${encodeURIComponent(values.workflow)}` : ""}`);
    if (values.json) return printJson(io, answer);
    const list = answer.tasks;
    table(io, ["TASK", "WORKFLOW", "RUN", "NODE", "KIND", "WAITING", "MESSAGE"], list.map((task) => [task.id, task.workflowName, task.runId, task.nodeId, task.kind, ago(task.createdAt), task.message.replace(/\s+/g, " ").slice(0, 60)]));
    return 0;
  }
  if (sub !== "approve" && sub !== "reject" && sub !== "answer") throw new UsageError(`tasks ${sub ?? ""}: use ls, approve, reject or answer`);
  const { values, positionals } = parse(rest, { reason: { type: "string" } });
  const [taskId, ...words] = positionals;
  if (!taskId) throw new UsageError(`tasks ${sub} needs a task id`);
  const answer = words.join(" ");
  if (sub === "answer" && answer.trim() === "") throw new UsageError("tasks answer needs the answer after the task id");
  const body = sub === "answer" ? { decision: "approve", answer } : { decision: sub, ...(values.reason ? { reason: values.reason } : {}) };
  const { body: result } = await client.post<{ runId: string }>(`/api/v1/human-tasks/${encodeURIComponent(taskId)}`, body);
  io.out(`${sub === "answer" ? "Answered" : sub === "approve" ? "Approved" : "Rejected"} ${taskId} (run ${result.runId})`);
  return 0;
}

/** The API's answer as it came, for scripts; exit 0. */
function printJson(io: Io, answer: unknown): number {
  io.out(JSON.stringify(answer, null, 2));
  return 0;
}

function table(io: Io, header: string[], rows: string[][]) {
  if (rows.length === 0) {
    io.out("(none)");
    return;
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  ");
  io.out(line(header));
  for (const row of rows) io.out(line(row));
}

function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
}

function cost(usd: number, unpriced: number): string {
  const known = `$${usd.toFixed(usd < 0.01 && usd > 0 ? 4 : 2)}`;
  return unpriced > 0 ? `≥ ${known} + unknown` : known;
}

