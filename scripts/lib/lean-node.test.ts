import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { leanNodeEnv, missingWebFlags, WEB_NODE_FLAGS, webNodeFlags, workerNodeFlags } from "./lean-node";
import { ROOT } from "./paths";

const compose = readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8");
const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
const production: NodeJS.ProcessEnv = { NODE_ENV: "production" };
const startScript = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.start!;

/** The JSON array of a compose service's `command:` or the Dockerfile's CMD. */
function commandOf(text: string, marker: RegExp): string[] {
  const line = text.split("\n").find((candidate) => marker.test(candidate));
  if (!line) throw new Error(`no line matches ${marker}`);
  return JSON.parse(line.slice(line.indexOf("["))) as string[];
}

describe("production node flags", () => {
  it("are the same in docker-compose.yml and the Dockerfile as under npm start", () => {
    const web = webNodeFlags(production);
    const worker = workerNodeFlags();
    // Both run the web server of npm start, bundled (scripts/build-web-server.ts), with the web's flags.
    expect(commandOf(compose, /command: \[.*dist\/serve-web\.mjs"\]/)).toEqual(["node", ...web, "dist/serve-web.mjs"]);
    expect(commandOf(dockerfile, /^CMD \[/)).toEqual(["node", ...web, "dist/serve-web.mjs"]);
    expect(commandOf(compose, /command: \[.*dist\/worker\/main\.mjs"\]/).slice(1, 1 + worker.length)).toEqual(worker);
    expect(compose).toContain(`MALLOC_ARENA_MAX: "${leanNodeEnv(production).MALLOC_ARENA_MAX}"`);
    expect(dockerfile).toContain(`ENV MALLOC_ARENA_MAX=${leanNodeEnv(production).MALLOC_ARENA_MAX}`);
  });

  it("are on npm start's own command line: its process serves the web, in place of the shell npm runs it in", () => {
    expect(startScript).toBe(`MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-${leanNodeEnv(production).MALLOC_ARENA_MAX}} exec node ${WEB_NODE_FLAGS.join(" ")} scripts/launch.mjs`);
    expect(missingWebFlags(["--inspect", ...WEB_NODE_FLAGS])).toEqual([]);
    expect(missingWebFlags([])).toEqual(WEB_NODE_FLAGS);
  });

  it("leave the heap limit and malloc arenas to an operator who set them", () => {
    expect(webNodeFlags({ ...production, NODE_OPTIONS: "--max-old-space-size=2048" }).some((flag) => flag.startsWith("--max-old-space-size"))).toBe(false);
    expect(webNodeFlags(production)).toContain("--max-old-space-size=512");
    expect(leanNodeEnv({ ...production, MALLOC_ARENA_MAX: "4" }).MALLOC_ARENA_MAX).toBe("4");
  });
});
