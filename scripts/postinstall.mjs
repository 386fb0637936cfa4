// npm's postinstall for this project: generate the Prisma client (server/generated/prisma).
//
// Plain JS (not tsx) because it runs during `npm install`, before anything else is set up.
// Prisma's CLI refuses to start unless its schema-engine binary exists, and that binary is
// downloaded by @prisma/engines' own install script, which we deny (package.json
// allowScripts: it needs network this project can't count on). `prisma generate` never runs
// the schema engine, so any existing file satisfies the check: we point it at node itself.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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
if (result.status !== 0) process.exit(result.status ?? 1);

// The generated client imports its query compiler as a module of base64 text, which then stays
// in every process's heap (~8.7 MiB); server/prisma-wasm.ts reads the same file as plain text
// instead. If a Prisma upgrade changes the generated code, this says so and leaves it as it
// is (server/prisma-wasm.test.ts fails until the pattern below is brought up to date).
const classFile = path.join(root, "server", "generated", "prisma", "internal", "class.ts");
const generatedImport = /const \{ wasm \} = await import\(("@prisma\/client\/runtime\/query_compiler_fast_bg\.postgresql\.wasm-base64\.mjs")\)\n\s*return await decodeBase64AsWasm\(wasm\)/;
const generated = readFileSync(classFile, "utf8");
if (generatedImport.test(generated)) {
  const patched = generated.replace(
    generatedImport,
    (_, specifier) => `const { loadQueryCompilerWasm } = await import("../../../prisma-wasm.ts")\n    return await loadQueryCompilerWasm(() => import(${specifier}))`,
  );
  writeFileSync(classFile, patched);
} else {
  console.warn("[agentflow] postinstall: the generated Prisma client no longer imports its query compiler as expected; left unpatched");
}
