import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { base64OfWasmModule, loadQueryCompilerWasm, QUERY_COMPILER_BASE64_FILE } from "./prisma-wasm";

describe("the Prisma query compiler, read from disk instead of imported", () => {
  it("is what the generated client loads (scripts/postinstall.mjs patched it)", () => {
    const generated = readFileSync(path.join(process.cwd(), "server/generated/prisma/internal/class.ts"), "utf8");
    expect(generated).toContain('await import("../../../prisma-wasm.ts")');
    expect(generated).toContain("loadQueryCompilerWasm(() => import(");
  });

  it("compiles from the file's text alone, to the same bytes the module import gives", async () => {
    const viaDisk = await loadQueryCompilerWasm(() => Promise.reject(new Error("the import must not be needed")));
    expect(WebAssembly.Module.exports(viaDisk).map((entry) => entry.name)).toContain("querycompiler_compile");
    const specifier = "@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.mjs"; // the generated client's import
    const imported = (await import(specifier)) as { wasm: string };
    expect(base64OfWasmModule(readFileSync(QUERY_COMPILER_BASE64_FILE, "utf8"))).toBe(imported.wasm);
  });

  it("falls back to the import when the text is not the expected shape", async () => {
    expect(base64OfWasmModule("export const wasm = 42")).toBeUndefined();
    expect(base64OfWasmModule('const wasm = "not base64!";')).toBeUndefined();
    expect(base64OfWasmModule('const wasm = "AGFzbQ==";\nexport { wasm }')).toBe("AGFzbQ==");
  });
});
