import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Every HTTP route of the app, by file: the App Router's `route.ts` handlers under app/api and
 * the node handlers under pages/api. The access matrix and the fuzzer each hold a table of them,
 * so a route added without an entry there fails them.
 */
export function routeFiles(): string[] {
  return [...filesUnder("app/api", (name) => name === "route.ts"), ...filesUnder("pages/api", (name) => name.endsWith(".ts"))].sort();
}

function filesUnder(dir: string, wanted: (name: string) => boolean): string[] {
  return readdirSync(path.resolve(dir)).flatMap((entry) => {
    const relative = path.join(dir, entry);
    if (statSync(path.resolve(relative)).isDirectory()) return filesUnder(relative, wanted);
    return wanted(entry) ? [relative] : [];
  });
}
