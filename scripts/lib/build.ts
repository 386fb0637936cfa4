// Decides whether `.next/` reflects the current sources, so `npm start` and `npm test`
// build only when needed (a Next production build takes minutes on 2 cores).
//
// Next's BUILD_ID alone can't tell: it is random per build, not derived from the sources.
// So after a build we store a hash of everything that feeds it, and rebuild when it differs.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export const HASH_FILE = path.join(".next", "agentflow-source-hash");

/** Folders whose files feed the build (recursively). */
const SOURCE_DIRS = ["app", "pages", "components", "lib", "server", "public"];
/** Inside SOURCE_DIRS but not sources: regenerated from prisma/schema.prisma, hashed below. */
const SKIPPED_DIRS = new Set(["server/generated", "node_modules"]);
/** Single files that change what `next build` produces when they change. */
const ROOT_FILES = [
  "next.config.js", "next.config.mjs", "next.config.ts",
  "postcss.config.js", "postcss.config.mjs", "postcss.config.cjs",
  "tailwind.config.js", "tailwind.config.ts",
  "tsconfig.json", "package-lock.json", "prisma/schema.prisma",
  "proxy.ts", "middleware.ts", "instrumentation.ts",
  // NEXT_PUBLIC_* values are inlined at build time.
  ".env", ".env.local", ".env.production", ".env.production.local",
];
/** Tests sit beside the code but are not part of the app. */
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;

function collect(root: string, relDir: string, into: string[]): void {
  let entries;
  try {
    entries = readdirSync(path.join(root, relDir), { withFileTypes: true });
  } catch {
    return; // folder not there (yet): contributes nothing
  }
  for (const entry of entries) {
    const rel = path.posix.join(relDir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(rel) && entry.name !== "node_modules") collect(root, rel, into);
    } else if (entry.isFile() && !TEST_FILE.test(entry.name)) {
      into.push(rel);
    }
  }
}

/** sha256 over (path, content hash) of every build input, in a stable order. */
export function sourceHash(root: string): string {
  const files: string[] = [];
  for (const dir of SOURCE_DIRS) collect(root, dir, files);
  for (const file of ROOT_FILES) if (existsSync(path.join(root, file))) files.push(file);
  const hash = createHash("sha256");
  for (const file of files.sort()) {
    const content = createHash("sha256").update(readFileSync(path.join(root, file))).digest("hex");
    hash.update(`${file}\0${content}\n`);
  }
  return hash.digest("hex");
}

export type BuildCheck = { stale: boolean; reason: string; hash: string };

export function checkBuild(root: string): BuildCheck {
  const hash = sourceHash(root);
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) return { stale: true, reason: "no production build yet", hash };
  let stored = "";
  try {
    stored = readFileSync(path.join(root, HASH_FILE), "utf8").trim();
  } catch {
    return { stale: true, reason: "build has no source hash", hash };
  }
  return stored === hash ? { stale: false, reason: "build is up to date", hash } : { stale: true, reason: "sources changed since the last build", hash };
}

/** Call before a build: an interrupted build must never look current. */
export function forgetBuild(root: string): void {
  rmSync(path.join(root, HASH_FILE), { force: true });
}

/** Call after a successful build, with the hash computed *before* it started. */
export function recordBuild(root: string, hash: string): void {
  writeFileSync(path.join(root, HASH_FILE), `${hash}\n`);
}
