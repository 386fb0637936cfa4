// How the Prisma client gets its query compiler (a ~3.4 MB WebAssembly module).
//
// Prisma's generated client imports it as a JavaScript module holding the binary as one base64
// string (`query_compiler_fast_bg.postgresql.wasm-base64.mjs`). An imported module stays in the
// module map for the life of the process, so its 4.4 MB source text and the 4.4 MB string
// constant in it stay in the V8 heap forever: ~8.7 MiB of every web and worker process, for a
// module that is used once. Reading the same file as plain text instead leaves nothing behind
// once the module is compiled. scripts/postinstall.mjs points the generated client here.
import { readFileSync } from "node:fs";
import path from "node:path";

/** The file the generated client would import, from the repository root (every process here starts in it). */
export const QUERY_COMPILER_BASE64_FILE = "node_modules/@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.mjs";

/** The base64 text between the quotes of `const wasm = "…"`, or undefined if the file is not that shape. */
export function base64OfWasmModule(source: string): string | undefined {
  const start = source.indexOf('"');
  const end = source.indexOf('"', start + 1);
  if (start < 0 || end < 0) return undefined;
  const base64 = source.slice(start + 1, end);
  return /^[A-Za-z0-9+/]+=*$/.test(base64) ? base64 : undefined;
}

function readBase64FromDisk(): string | undefined {
  try {
    return base64OfWasmModule(readFileSync(path.join(process.cwd(), QUERY_COMPILER_BASE64_FILE), "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * The compiled query compiler. `importModule` is the generated client's own import, used only
 * when the file is not where a process started from the repository root finds it (the module
 * then stays in memory as before; correct, just not lean).
 */
export async function loadQueryCompilerWasm(importModule: () => Promise<{ wasm: string }>): Promise<WebAssembly.Module> {
  const base64 = readBase64FromDisk() ?? (await importModule()).wasm;
  return new WebAssembly.Module(Buffer.from(base64, "base64"));
}
