// npm's postinstall for this project: generate the Prisma client (server/generated/prisma).
//
// Plain JS (not tsx) because it runs during `npm install`, before anything else is set up.
// Prisma's CLI refuses to start unless its schema-engine binary exists, and that binary is
// downloaded by @prisma/engines' own install script, which we deny (package.json
// allowScripts: it needs network this project can't count on). `prisma generate` never runs
// the schema engine, so any existing file satisfies the check: we point it at node itself.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");

if (!existsSync(prismaCli)) {
  // e.g. `npm ci --omit=dev`: the CLI is a devDependency; the client must be generated elsewhere.
  console.warn("[agentflow] postinstall: prisma CLI not installed; skipping `prisma generate`");
  process.exit(0);
}

const env = { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}

const result = spawnSync(process.execPath, [prismaCli, "generate"], { cwd: root, env, stdio: "inherit" });
process.exit(result.status ?? 1);
