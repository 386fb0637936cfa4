// `npm run build:worker`: the worker as plain JavaScript in dist/worker/, so production runs
// `node dist/worker/main.mjs` with no TypeScript compiler loaded (tsx costs ~100 MiB of RSS
// and seconds of start-up per worker process). scripts/start.ts calls buildWorker() when the
// bundle is older than its sources.
//
// Our code and the npm packages every worker start loads (BullMQ, ioredis, Prisma's client, pg,
// zod, openai, pino, ...) go into the bundle: resolving, reading and linking ~1,000 small files
// from node_modules took ~0.3 s of the ~1.15 s from start to ready (0.85 s bundled), and a
// crashed worker's runs wait that long for its replacement. EXTERNAL_PACKAGES stay imports
// resolved from node_modules at run time.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { say, seconds } from "./lib/log";
import { isMain, ROOT } from "./lib/paths";

export const WORKER_DIST = path.join(ROOT, "dist", "worker");
export const WORKER_ENTRY = path.join(WORKER_DIST, "main.mjs");
const HASH_FILE = path.join(WORKER_DIST, "source-hash");

/**
 * The worker's main module and the two sandbox threads it starts with
 * `new Worker(new URL("./run-*-thread.mjs", import.meta.url))`: built side by side under those
 * names, so that URL, taken relative to the bundle, finds them.
 */
const ENTRY_POINTS = {
  main: "workers/main.ts",
  "run-code-thread": "server/tools/run-code-thread.ts",
  "run-python-thread": "server/tools/run-python-thread.ts",
};

/**
 * Packages left out of the bundle:
 * - they load files relative to their own folder: pyodide and quickjs (their .wasm, in the
 *   sandbox threads), msgpackr-extract and pg-native (native addons, both optional);
 * - they are imported lazily, only by some runs or starts, so no start should parse them:
 *   better-auth (creating the owner), the Anthropic and MCP SDKs, OpenTelemetry's SDK and
 *   exporter (OTEL_EXPORTER_OTLP_ENDPOINT), nodemailer (email notifications).
 */
const EXTERNAL_PACKAGES = [
  "pyodide",
  "quickjs-emscripten",
  "quickjs-emscripten-core",
  "@jitl/*",
  "msgpackr-extract",
  "pg-native",
  "better-auth",
  "better-auth/*",
  "@anthropic-ai/sdk",
  "@modelcontextprotocol/sdk",
  "@modelcontextprotocol/sdk/*",
  "@opentelemetry/sdk-trace-node",
  "@opentelemetry/exporter-trace-otlp-http",
  "@opentelemetry/resources",
  "@opentelemetry/semantic-conventions",
  "nodemailer",
];

/** Folders and files whose contents the bundle is made of. */
const SOURCE_DIRS = ["workers", "server", "lib"];
const ROOT_FILES = ["tsconfig.json", "package-lock.json", "prisma/schema.prisma", "scripts/build-worker.ts"];
const SKIPPED = /(^|\/)(node_modules)(\/|$)|\.(test|spec)\.[cm]?[jt]sx?$/;

function collect(relDir: string, into: string[]): void {
  let entries;
  try {
    entries = readdirSync(path.join(ROOT, relDir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const rel = path.posix.join(relDir, entry.name);
    if (SKIPPED.test(rel)) continue;
    if (entry.isDirectory()) collect(rel, into);
    else if (entry.isFile()) into.push(rel);
  }
}

/** sha256 over every input of the bundle (server/generated included: it is our Prisma client). */
export function workerSourceHash(): string {
  const files: string[] = [];
  for (const dir of SOURCE_DIRS) collect(dir, files);
  for (const file of ROOT_FILES) if (existsSync(path.join(ROOT, file))) files.push(file);
  const hash = createHash("sha256");
  for (const file of files.sort()) {
    hash.update(`${file}\0${createHash("sha256").update(readFileSync(path.join(ROOT, file))).digest("hex")}\n`);
  }
  return hash.digest("hex");
}

export type WorkerBuildCheck = { stale: boolean; reason: string; hash: string };

export function checkWorkerBuild(): WorkerBuildCheck {
  const hash = workerSourceHash();
  if (!existsSync(WORKER_ENTRY)) return { stale: true, reason: "no worker bundle yet", hash };
  const stored = existsSync(HASH_FILE) ? readFileSync(HASH_FILE, "utf8").trim() : "";
  return stored === hash ? { stale: false, reason: "worker bundle is up to date", hash } : { stale: true, reason: "worker sources changed since the last bundle", hash };
}

/** Bundles the worker into dist/worker/ and records the source hash it was built from. */
export async function buildWorker(hash = workerSourceHash()): Promise<void> {
  // An interrupted build must never look current; chunks of earlier builds (their names carry a
  // content hash) would otherwise pile up beside the new ones.
  rmSync(WORKER_DIST, { recursive: true, force: true });
  // Loaded only when a bundle is due: `npm start` with a current bundle never pays for esbuild.
  const esbuild = await import("esbuild");
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS,
    outdir: WORKER_DIST,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: EXTERNAL_PACKAGES,
    // The CommonJS packages in the bundle call require() (for node's own modules, too); an ES module has none.
    banner: { js: 'import { createRequire as createRequireForBundle } from "node:module"; const require = createRequireForBundle(import.meta.url);' },
    // Lazy `import()`s stay lazy (and so do the packages they load): server/auth/setup.ts loads
    // the account code only when it creates the owner.
    splitting: true,
    // `@/…` imports (tsconfig paths) are ours and get bundled; esbuild reads tsconfig.json for them.
    tsconfig: path.join(ROOT, "tsconfig.json"),
    sourcemap: "linked",
    logLevel: "warning",
  });
  // esbuild keeps a helper process for later builds; the launcher makes no more, so end it.
  await esbuild.stop();
  writeFileSync(HASH_FILE, `${hash}\n`);
}

if (isMain(import.meta.url)) {
  const started = Date.now();
  await buildWorker();
  say(`worker bundle: ${path.relative(ROOT, WORKER_ENTRY)} built in ${seconds(Date.now() - started)}`);
}
