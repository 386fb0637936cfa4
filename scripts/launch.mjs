// Entry point for `npm start` / `npm run dev`: runs scripts/start.ts compiled to plain JavaScript,
// in this one node process. Started through tsx instead (its CLI, a child node with its loader
// and an esbuild helper process), the launcher chain alone held ~160 MiB of RSS; this way it is
// one node process with no compiler loaded.
//
// Plain JavaScript on purpose: node 20 cannot run TypeScript itself. The bundle (dist/start.mjs:
// one folder below the root like scripts/, so paths that modules take relative to their own
// import.meta.url, such as scripts/migrate.ts's prisma/migrations, still resolve) is rebuilt
// with esbuild whenever one of its input files changed.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = path.join(ROOT, "dist");
const BUNDLE = path.join(OUT_DIR, "start.mjs");
/** The bundle's inputs (from esbuild's metafile) with the hash of each when it was built. */
const MANIFEST = path.join(OUT_DIR, "start.inputs.json");

function fileHash(file) {
  try {
    return createHash("sha256").update(readFileSync(path.join(ROOT, file))).digest("hex");
  } catch {
    return "missing";
  }
}

function bundleIsCurrent() {
  if (!existsSync(BUNDLE) || !existsSync(MANIFEST)) return false;
  try {
    const inputs = JSON.parse(readFileSync(MANIFEST, "utf8"));
    return Object.entries(inputs).every(([file, hash]) => fileHash(file) === hash);
  } catch {
    return false;
  }
}

if (!bundleIsCurrent()) {
  const esbuild = await import("esbuild");
  mkdirSync(OUT_DIR, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ["scripts/start.ts"],
    outfile: BUNDLE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    metafile: true,
    logLevel: "warning",
  });
  await esbuild.stop();
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((file) => [file, fileHash(file)]));
  inputs["scripts/launch.mjs"] = fileHash("scripts/launch.mjs");
  writeFileSync(MANIFEST, `${JSON.stringify(inputs, null, 2)}\n`);
}

await import(pathToFileURL(BUNDLE).href);
