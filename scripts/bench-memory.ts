/**
 * Memory bench (`npm run bench -- memory`): what `npm start` costs a machine, measured on the
 * real launcher as a user runs it (npm → the launcher, which serves the web itself → worker processes), against the bench's
 * Postgres and Redis (DATABASE_URL/REDIS_URL from scripts/with-services.ts, which the launcher
 * uses instead of starting its own) under a queue prefix of its own.
 *
 * Figures: resident set (VmRSS) of every node/npm/sh process in the launcher's tree once the app
 * is idle (IDLE_WINDOW_MS after ready, with the window's start-up peak), grouped as web (the
 * launcher's process, or a `next start` child of another launcher), worker(s) and launcher chain
 * (npm and any shell; Postgres and Redis are not counted); then the worker's after one agent
 * run (what it loads on an agent's first step); then the web process's RSS after 25 s of 10
 * callers POSTing the sync trigger (as bench-api.ts).
 * Aims (issue 14): idle web + worker + launcher ≤ 270 MiB; web ≤ 300 MiB after the load.
 * The idle total is printed twice: RSS summed (the aim's measure; it counts the pages the
 * processes share, such as the node binary's code, once per process) and PSS summed (each
 * shared page divided among its sharers: what the processes cost the machine together).
 */
import http from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { getDb } from "../server/db";
import { newId } from "../server/ids";
import { createApiKey } from "../server/auth/api-keys";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import { graphOf } from "./bench-api";
import { say } from "./lib/log";
import { ROOT } from "./lib/paths";
import { commandLine, sleep, startGroup, waitUntil } from "./lib/process";

const PORT = 3210;
const CALLERS = 10;
const LOAD_MS = 25_000;
/** After the agent run: what the worker loaded for it settled, first sweeps done. */
const SETTLE_MS = 20_000;
/**
 * Idle is measured at the end of this window after /api/ready first answers, sampled every
 * second meanwhile. The web holds start-up's young generation (~20 MiB) until V8's memory
 * reducer frees it once allocation has stayed low for a while: measured 20–25 s after the
 * start (109 → 91 MiB), so a figure taken at 20 s was start-up's, not idle's. The window's
 * peak is printed too.
 */
const IDLE_WINDOW_MS = 60_000;
const IDLE_AIM_MIB = 270;
const WEB_AFTER_LOAD_AIM_MIB = 300;

type Role = "web" | "worker" | "launcher" | "service";
type Proc = { pid: number; ppid: number; command: string; rssKiB: number; pssKiB: number };

/**
 * Proportional set size: each page a process maps counts divided by the number of processes
 * sharing it. Four node processes share the node binary's ~40 MiB of code, which their RSS
 * figures count four times; summed PSS is what they cost the machine together.
 */
function pssKiB(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? "0");
  } catch {
    return 0;
  }
}

function readProcs(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? "0");
      // Zombies and kernel threads have no VmRSS line: they hold no memory.
      const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? "0");
      procs.set(Number(entry), { pid: Number(entry), ppid, command: commandLine(Number(entry)), rssKiB, pssKiB: rssKiB === 0 ? 0 : pssKiB(Number(entry)) });
    } catch {
      // gone while we looked
    }
  }
  return procs;
}

function ownRole(command: string): Role | undefined {
  if (/postgres|redis-server/.test(command)) return "service";
  if (/dist\/worker\/main\.mjs|workers\/main\.ts/.test(command)) return "worker";
  // Under npm start the launcher process serves the web (scripts/lib/web-server.ts).
  if (/next-server|\/next (start|dev)\b|\bnext (start|dev)\b|scripts\/launch\.mjs/.test(command)) return "web";
  return undefined;
}

type Snapshot = Record<Role, { mib: number; pssMib: number; processes: string[] }>;

/** Every live process under `rootPid`, by role: a process belongs to its nearest ancestor with a role. */
function snapshot(rootPid: number): Snapshot {
  const procs = readProcs();
  const empty = () => ({ mib: 0, pssMib: 0, processes: [] as string[] });
  const result: Snapshot = { web: empty(), worker: empty(), launcher: empty(), service: empty() };
  for (const proc of procs.values()) {
    if (proc.rssKiB === 0) continue;
    let role: Role | undefined;
    let inTree = false;
    for (let at: Proc | undefined = proc; at; at = procs.get(at.ppid)) {
      role ??= ownRole(at.command);
      if (at.pid === rootPid) {
        inTree = true;
        break;
      }
      if (at.ppid <= 1) break;
    }
    if (!inTree) continue;
    const bucket = result[role ?? "launcher"];
    bucket.mib += proc.rssKiB / 1024;
    bucket.pssMib += proc.pssKiB / 1024;
    bucket.processes.push(`${proc.command.split(" ").slice(0, 3).join(" ").replace(`${ROOT}/`, "")} ${Math.round(proc.rssKiB / 1024)}`);
  }
  return result;
}

function post(agent: http.Agent, url: URL, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = '{"input":{"topic":"memory"}}';
    const request = http.request(url, { method: "POST", agent, headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

async function ready(baseUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl}/api/ready`, { signal: AbortSignal.timeout(5_000) })).ok;
  } catch {
    return false;
  }
}

const mib = (value: number) => `${Math.round(value)} MiB`;

export async function benchMemory(): Promise<string[]> {
  const baseUrl = `http://127.0.0.1:${PORT}`;
  // Whatever other bench parts set for themselves is not the app's configuration.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "DEMO_MODEL_URL" && name !== "NODE_ENV"));
  const env: Record<string, string | undefined> = {
    ...inherited,
    PORT: String(PORT),
    QUEUE_PREFIX: `bench-memory-${randomBytes(3).toString("hex")}`,
    // Thousands of runs a minute from one key: the per-caller run-start limit would answer 429 first.
    RUN_START_RATE_PER_MINUTE: "1000000",
  };
  // BENCH_MEMORY_START="<command>" measures another launcher the same way: npm → sh → command.
  const custom = process.env.BENCH_MEMORY_START;
  const [what, args] = custom ? [custom, ["exec", "--call", custom]] : ["npm start", ["start"]];
  say(`bench memory: ${what} on port ${PORT} (builds first if the sources changed)`);
  const launcher = startGroup(what, "npm", args, { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "ignore", "inherit"], stopTimeoutMs: 60_000 });
  const db = getDb();
  const workspaceId = newId("ws");
  try {
    if (!(await waitUntil(async () => !launcher.running() || (await ready(baseUrl)), 900_000, 1_000)) || !launcher.running()) {
      throw new Error(`${what} did not become ready on ${baseUrl}`);
    }
    const total = (taken: Snapshot) => taken.web.mib + taken.worker.mib + taken.launcher.mib;
    let startUpPeak = snapshot(launcher.pid);
    const windowEnd = Date.now() + IDLE_WINDOW_MS;
    while (Date.now() < windowEnd) {
      await sleep(Math.min(1_000, Math.max(0, windowEnd - Date.now())));
      const taken = snapshot(launcher.pid);
      if (total(taken) > total(startUpPeak)) startUpPeak = taken;
    }
    const idle = snapshot(launcher.pid);
    const idleTotal = total(idle);
    const idlePss = idle.web.pssMib + idle.worker.pssMib + idle.launcher.pssMib;

    await db.workspace.create({ data: { id: workspaceId, name: "Bench memory" } });
    const access = { workspaceId, actor: { kind: "system" as const, name: "bench" }, ip: null };
    const { token } = await createApiKey(db, access, { name: "bench memory", scopes: ["trigger"] });
    const { id: workflowId } = await createWorkflow(db, workspaceId, { name: "bench memory", graph: graphOf(false) });
    await publishVersion(db, workspaceId, workflowId);

    // One agent run first: the worker loads what an agent step needs (the token counter, the
    // model client) only then, so idle is not what a worker that has run agents holds.
    const { id: agentWorkflowId } = await createWorkflow(db, workspaceId, { name: "bench memory agent", graph: graphOf(true) });
    await publishVersion(db, workspaceId, agentWorkflowId);
    const agentStatus = await post(new http.Agent(), new URL(`${baseUrl}/api/v1/workflows/${agentWorkflowId}/trigger?wait=30`), token);
    if (agentStatus !== 200) throw new Error(`the agent run answered ${agentStatus}`);
    await sleep(SETTLE_MS);
    const afterAgent = snapshot(launcher.pid);

    const url = new URL(`${baseUrl}/api/v1/workflows/${workflowId}/trigger?wait=30`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CALLERS });
    let runs = 0;
    let failures = 0;
    let peakWebMib = 0;
    const sampler = setInterval(() => (peakWebMib = Math.max(peakWebMib, snapshot(launcher.pid).web.mib)), 1_000);
    const end = Date.now() + LOAD_MS;
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (Date.now() < end) {
          const status = await post(agent, url, token).catch(() => 0);
          if (status === 200) runs += 1;
          else failures += 1;
        }
      }),
    );
    clearInterval(sampler);
    agent.destroy();
    const loaded = snapshot(launcher.pid);

    const list = (bucket: { processes: string[] }) => bucket.processes.join(", ");
    return [
      `memory: idle web ${mib(idle.web.mib)} (${list(idle.web)})`,
      `memory: idle worker(s) ${mib(idle.worker.mib)} (${list(idle.worker)})`,
      `memory: launched with: ${what}`,
      `memory: idle launcher chain ${mib(idle.launcher.mib)} (${list(idle.launcher)})`,
      `memory: idle web + worker + launcher ${mib(idleTotal)} RSS summed, ${IDLE_WINDOW_MS / 1000} s after ready (aim ≤ ${IDLE_AIM_MIB} MiB) ${idleTotal <= IDLE_AIM_MIB ? "met" : "NOT met"}`,
      `memory: start-up peak in that window ${mib(total(startUpPeak))} RSS summed (web ${mib(startUpPeak.web.mib)}, worker(s) ${mib(startUpPeak.worker.mib)}, launcher ${mib(startUpPeak.launcher.mib)})`,
      `memory: idle web + worker + launcher ${mib(idlePss)} PSS summed (shared pages counted once: web ${mib(idle.web.pssMib)}, worker(s) ${mib(idle.worker.pssMib)}, launcher ${mib(idle.launcher.pssMib)}) ${idlePss <= IDLE_AIM_MIB ? "within" : "above"} ${IDLE_AIM_MIB} MiB`,
      `memory: worker(s) after one agent run (demo model), settled ${SETTLE_MS / 1000} s: ${mib(afterAgent.worker.mib)} RSS, ${mib(afterAgent.worker.pssMib)} PSS (idle ${mib(idle.worker.mib)})`,
      `memory: web after ${LOAD_MS / 1000} s of ${CALLERS}-caller sync trigger load (${runs} runs, ${failures} failed): ${mib(loaded.web.mib)}, peak ${mib(Math.max(peakWebMib, loaded.web.mib))} (aim ≤ ${WEB_AFTER_LOAD_AIM_MIB} MiB) ${loaded.web.mib <= WEB_AFTER_LOAD_AIM_MIB ? "met" : "NOT met"}`,
    ];
  } finally {
    await launcher.stop();
    await db.workspace.delete({ where: { id: workspaceId } }).catch(() => undefined);
  }
}
