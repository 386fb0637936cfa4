/**
 * `npm run bench`: every benchmark, each printed beside its floor measured in the same run.
 * Speed targets are checked here, never in timed tests.
 */
import path from "node:path";
import { benchRuntime } from "./bench-runtime";

async function main() {
  const root = path.resolve(import.meta.dirname, "..");
  const only = process.argv.slice(2);
  const lines: string[] = [];
  if (only.length === 0 || only.includes("runtime")) lines.push(...(await benchRuntime(root)));
  console.log(`\n${lines.join("\n")}`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
