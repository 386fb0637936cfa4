import { readFile } from "node:fs/promises";

/** A usage mistake: printed with the usage line, exit code 2. */
export class UsageError extends Error {}

/**
 * A run's input from the command line: `--input @file.json`, `--input '{"topic":"x"}'`, and/or
 * `key=value` pairs (a value that is valid JSON — a number, true, an object — is taken as such,
 * anything else as text). Pairs are merged over the `--input` object.
 */
export async function runInputOf(inputFlag: string | undefined, pairs: readonly string[]): Promise<unknown> {
  let input: unknown = undefined;
  if (inputFlag !== undefined) {
    const text = inputFlag.startsWith("@") ? await readInputFile(inputFlag.slice(1)) : inputFlag;
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--input is not valid JSON${inputFlag.startsWith("@") ? ` (in ${inputFlag.slice(1)})` : ""}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (pairs.length === 0) return input;
  if (input !== undefined && (typeof input !== "object" || input === null || Array.isArray(input))) {
    throw new UsageError("key=value pairs need --input to be a JSON object (or no --input)");
  }
  const merged: Record<string, unknown> = { ...(input as Record<string, unknown> | undefined) };
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`"${pair}" is not key=value`);
    const value = pair.slice(at + 1);
    merged[pair.slice(0, at)] = parseValue(value);
  }
  return merged;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
