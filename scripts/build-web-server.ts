// `npm run build:web-server`: the production web server alone (scripts/serve-web.ts) as plain
// JavaScript, dist/serve-web.mjs, which the Docker image, docker-compose.yml's `web` service and
// the e2e suite run with `node`: no TypeScript compiler in the web process (tsx costs ~100 MiB
// of RSS and seconds of start-up), and the same fast path for the REST trigger as `npm start`
// (scripts/lib/web-server.ts), which `next start` lacks.
//
// Only our own few modules go into the bundle; every npm package, `next` first, stays an import
// resolved from node_modules at run time (`packages: "external"`), as in the launcher's bundle
// (scripts/launch.mjs). Two copies of some of our modules then live in the process — the
// bundle's and the one inside Next's server bundle (.next/server) — and they must share state:
// server/http/fast-routes.ts (the routes instrumentation.ts registers in Next's copy, served
// from the bundle's) and server/ops/closers.ts (the clients Next's copy opens, closed from the
// bundle's) keep it on globalThis under Symbol.for keys; server/http/node-bridge.ts and
// scripts/lib/paths.ts hold none.
//
// The bundle sits in dist/, one folder below the root like the launcher's dist/start.mjs:
// scripts/lib/paths.ts finds ROOT (Next's `dir`) as the nearest folder above the module with a
// package.json. esbuild takes well under a second, so nothing tracks whether it is current:
// the Dockerfile builds it, and `npm test`'s build tier (scripts/test.ts) rebuilds it every time.
import path from "node:path";
import { say, seconds } from "./lib/log";
import { isMain, ROOT } from "./lib/paths";

export const WEB_SERVER_ENTRY = path.join(ROOT, "dist", "serve-web.mjs");

/** Bundles scripts/serve-web.ts into dist/serve-web.mjs (replacing the one there). */
export async function buildWebServer(): Promise<void> {
  const esbuild = await import("esbuild");
  try {
    await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: ["scripts/serve-web.ts"],
      outfile: WEB_SERVER_ENTRY,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "warning",
    });
  } finally {
    // esbuild keeps a helper process for later builds; none follow, so end it.
    await esbuild.stop();
  }
}

if (isMain(import.meta.url)) {
  const started = Date.now();
  await buildWebServer();
  say(`web server bundle: ${path.relative(ROOT, WEB_SERVER_ENTRY)} built in ${seconds(Date.now() - started)}`);
}
