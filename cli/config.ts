import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

/**
 * Where the CLI finds the app and its API key: AGENTFLOW_URL / AGENTFLOW_API_KEY when set (CI,
 * scripts), else what `agentflow login` saved in $XDG_CONFIG_HOME/agentflow/config.json
 * (~/.config by default), readable by its owner only since it holds the key.
 */
export type CliConfig = { url: string; apiKey: string };

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.trim() !== "" ? env.XDG_CONFIG_HOME : path.join(homedir(), ".config");
  return path.join(base, "agentflow", "config.json");
}

export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<CliConfig | null> {
  let saved: Partial<CliConfig> = {};
  try {
    saved = JSON.parse(await readFile(configPath(env), "utf8")) as Partial<CliConfig>;
  } catch {
    // No saved login: the environment may still carry both.
  }
  const url = env.AGENTFLOW_URL ?? saved.url;
  const apiKey = env.AGENTFLOW_API_KEY ?? saved.apiKey;
  return url && apiKey ? { url: url.replace(/\/+$/, ""), apiKey } : null;
}

export async function saveConfig(config: CliConfig, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const file = configPath(env);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only to a new file: an existing one is narrowed too.
  await chmod(file, 0o600);
  return file;
}
