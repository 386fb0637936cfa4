// Project root and the CLIs we run from node_modules.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder of package.json above this module: scripts/lib/ when run from source, dist/ when
 * bundled into the launcher (scripts/launch.mjs), so it is looked up rather than counted.
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, "..", "..");
  }
}

export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Command + args for a CLI installed in node_modules/.bin, run by the current node binary
 * rather than through a shell or `npx`: no extra process level to forward signals through,
 * and the same node version as ours.
 */
export function nodeBin(name: string, args: readonly string[]): [string, string[]] {
  return [process.execPath, [path.join(ROOT, "node_modules", ".bin", name), ...args]];
}

/** True when the module with this import.meta.url is the script node was asked to run. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && fileURLToPath(moduleUrl) === path.resolve(script);
}

/** A bare command name (`vitest`) resolved to node_modules/.bin when it is installed there. */
export function resolveCommand(command: string): string {
  if (command.includes("/")) return command;
  const local = path.join(ROOT, "node_modules", ".bin", command);
  return existsSync(local) ? local : command;
}
