// Installs a missing system program from Debian's packages when we are allowed to.
//
// Why here and not in a README step: CI and new machines start without redis-server or
// chromium, and "npm install && npm start" must work there; as root with apt-get we can
// fix that ourselves. Anywhere else we stop with the exact command the user should run.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { say } from "./log";

/** Absolute path of an executable: `name` itself if it has a slash, else looked up on PATH. */
export function findExecutable(name: string): string | undefined {
  const candidates = name.includes("/")
    ? [name]
    : (process.env.PATH ?? "").split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

export type AptRequirement = {
  /** Program name on PATH, or an absolute path. */
  program: string;
  /** Debian package that provides it. */
  aptPackage: string;
  /** What we need it for, printed before installing. */
  purpose: string;
};

let aptUpdated = false;

function run(command: string, args: readonly string[]): void {
  say(`running: ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.status !== 0) {
    throw new Error(`\`${[command, ...args].join(" ")}\` failed (exit ${result.status ?? result.signal ?? "unknown"})`);
  }
}

/** Returns the program's path, installing its package first if needed and possible. */
export function ensureProgram(requirement: AptRequirement): string {
  const found = findExecutable(requirement.program);
  if (found) return found;

  const installCommand = `apt-get install -y ${requirement.aptPackage}`;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !findExecutable("apt-get")) {
    throw new Error(
      `${requirement.program} is needed for ${requirement.purpose} but is not installed. ` +
        `Install it (on Debian/Ubuntu: \`sudo apt-get update && sudo ${installCommand}\`) and run again.`,
    );
  }
  say(`${requirement.program} not found; installing Debian package ${requirement.aptPackage} (for ${requirement.purpose})`);
  if (!aptUpdated) {
    run("apt-get", ["update"]);
    aptUpdated = true;
  }
  run("apt-get", ["install", "-y", requirement.aptPackage]);
  const installed = findExecutable(requirement.program);
  if (!installed) throw new Error(`${installCommand} finished but ${requirement.program} is still missing`);
  return installed;
}
