// How production runs the web and worker node processes: the same flags and environment for
// `npm start`, for the benchmarks that measure what it runs and for the web server the e2e
// suite starts (playwright.config.ts). Under `npm start` the web is served by the launcher's
// own process (lib/web-server.ts), so its flags are on package.json's start script;
// docker-compose.yml and the Dockerfile repeat them too (none of them can import this file):
// lean-node.test.ts keeps all of them in step.

/**
 * V8 flags for both processes.
 *
 * `--wasm-tiering-budget`: Prisma 7 plans every query in a WebAssembly module (its query
 * compiler, ~3.4 MB). By default V8 recompiles each WebAssembly function with its optimizing
 * compiler after a short warm-up, and those compilations of Prisma's large functions leave
 * ~60–90 MiB of native memory behind in every process (an idle worker measured 215–224 MiB
 * without the flag, 116–125 MiB with it). With a high budget only a function that has really
 * run a lot is optimized (a CPU-heavy Python tool in Pyodide still gets there within
 * seconds); Prisma's planning stays on V8's baseline compiler, which is small next to a
 * query's round trip to Postgres.
 */
const SHARED_FLAGS = ["--wasm-tiering-budget=1000000000"];

/**
 * The web's V8 heap limit (MiB). Without one V8 sizes it from the machine's memory (4 GiB
 * here) and, under a burst of requests, grows the heap to ~400–500 MiB and keeps it, though
 * only ~130 MiB of it is in use. With a limit the heap stays near what it uses (~220 MiB
 * after 25 s of 10-caller load). 512 MiB leaves room for the largest request the app accepts
 * (a 16 MiB workflow import). An operator's own `--max-old-space-size` in NODE_OPTIONS wins.
 */
const WEB_HEAP_LIMIT_MIB = 512;

/** The web's flags, as package.json's start script, the Dockerfile and docker-compose.yml give them. */
export const WEB_NODE_FLAGS: readonly string[] = [...SHARED_FLAGS, `--max-old-space-size=${WEB_HEAP_LIMIT_MIB}`];

/** The web's flags for a web process we spawn (the benches, e2e): an operator's heap limit in NODE_OPTIONS wins. */
export function webNodeFlags(env: NodeJS.ProcessEnv): string[] {
  const ownLimit = /--max-old-space-size\b/.test(env.NODE_OPTIONS ?? "");
  return WEB_NODE_FLAGS.filter((flag) => !(ownLimit && flag.startsWith("--max-old-space-size")));
}

/** The web flags this process was started without (empty under `npm start`). */
export function missingWebFlags(execArgv: readonly string[]): string[] {
  return WEB_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}

/**
 * The worker keeps V8's own heap limit: a run's state can be large, and a worker that runs out
 * of heap would fail the job it holds.
 *
 * `--max-semi-space-size` (MiB): V8 grows its young generation up to 16 MiB per semi-space
 * under a burst of jobs and keeps it. Measured with 10,000 runs advanced to a human gate, the
 * worker's RSS after a full GC grew 24 MiB (peak 198) with the default and 12 MiB (peak 157)
 * with 4, while its CPU per run in the API bench did not move (1.12–1.24 ms either way).
 */
export function workerNodeFlags(): string[] {
  return [...SHARED_FLAGS, "--max-semi-space-size=4"];
}

/**
 * `BENCH_CPU_PROFILE=<dir>`: the web and worker processes a bench starts write V8 CPU profiles
 * there when they stop (open them in Chrome DevTools, or sum self time by file) — to find where
 * a run's CPU goes.
 */
export function cpuProfileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROFILE;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Environment for both processes. MALLOC_ARENA_MAX: glibc gives each thread that allocates
 * its own malloc arena (up to 8 per core), and node's compiler and GC helper threads leave
 * tens of MiB in them that are never handed back; two arenas are enough. The operator's
 * value wins.
 */
export function leanNodeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? "2" };
}
