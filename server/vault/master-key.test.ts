import { spawn } from "node:child_process";
import { createHmac, randomBytes, scryptSync } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deriveKey, KeyFileError, loadMasterKey } from "./master-key";

let dir: string;
let keyFile: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "agentflow-vault-"));
  keyFile = path.join(dir, ".data", "secret.key");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const KEY = Buffer.from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex");

describe("loadMasterKey from AGENTFLOW_SECRET_KEY", () => {
  it("takes 32 bytes as hex, base64 or base64url (padded or not) and never touches the key file", () => {
    for (const env of [KEY.toString("hex"), KEY.toString("hex").toUpperCase(), KEY.toString("base64"), KEY.toString("base64url"), ` ${KEY.toString("base64")}\n`]) {
      expect(loadMasterKey({ env, keyFile })).toEqual(KEY);
    }
    const urlOnly = Buffer.alloc(32, 0xff);
    expect(loadMasterKey({ env: urlOnly.toString("base64url"), keyFile })).toEqual(urlOnly);
    expect(() => statSync(keyFile)).toThrow();
  });

  it("stretches a passphrase of 32+ characters with scrypt (N=2^15, r=8, p=1, fixed salt)", () => {
    const passphrase = "correct horse battery staple, forever and always";
    const key = loadMasterKey({ env: passphrase, keyFile });
    // Pinned parameters: changing any of them would make every stored secret unreadable.
    expect(key).toEqual(scryptSync(passphrase, "agentflow/AGENTFLOW_SECRET_KEY/v1", 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }));
    expect(key).toHaveLength(32);
    expect(loadMasterKey({ env: `${passphrase}!`, keyFile })).not.toEqual(key);
  });

  it("refuses anything else with a message naming the variable and what it expects, never the value", () => {
    const bad = ["hunter2", "a".repeat(31), "ghp_shorttoken"];
    for (const env of bad) {
      let message = "";
      try {
        loadMasterKey({ env, keyFile });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain("AGENTFLOW_SECRET_KEY");
      expect(message).toContain("base64");
      expect(message).toContain("at least 32 characters");
      expect(message).not.toContain(env);
    }
  });

  it("refuses a mistyped hex or padded base64 key instead of taking it as a passphrase", () => {
    const hex = KEY.toString("hex");
    for (const env of [hex.slice(0, 62), `${hex}00`]) {
      expect(() => loadMasterKey({ env, keyFile })).toThrow("AGENTFLOW_SECRET_KEY looks like hex but has");
    }
    for (const env of [Buffer.alloc(16, 1).toString("base64"), Buffer.alloc(34, 1).toString("base64"), Buffer.alloc(31, 1).toString("base64")]) {
      expect(() => loadMasterKey({ env, keyFile })).toThrow("AGENTFLOW_SECRET_KEY looks like padded base64");
    }
  });

  it("treats a blank variable as unset", () => {
    const key = loadMasterKey({ env: "  ", keyFile });
    expect(loadMasterKey({ env: undefined, keyFile })).toEqual(key);
  });
});

describe("loadMasterKey from the key file", () => {
  it("creates the file once (parent folders too) with mode 0600 and 32 random bytes as base64 + newline", () => {
    const key = loadMasterKey({ env: undefined, keyFile });
    expect(key).toHaveLength(32);
    expect(readFileSync(keyFile, "utf8")).toBe(`${key.toString("base64")}\n`);
    if (process.platform !== "win32") {
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(keyFile)).mode & 0o077).toBe(0);
    }
    expect(loadMasterKey({ env: undefined, keyFile })).toEqual(key);
    // No temp files left beside it.
    expect(readdirSync(path.dirname(keyFile))).toEqual(["secret.key"]);
    // Another install gets another key.
    expect(loadMasterKey({ env: undefined, keyFile: path.join(dir, "other.key") })).not.toEqual(key);
  });

  it("reads a key file written by an operator (base64 or hex)", () => {
    mkdirSync(path.dirname(keyFile));
    writeFileSync(keyFile, `${KEY.toString("hex")}\n`, { mode: 0o600 });
    expect(loadMasterKey({ env: undefined, keyFile })).toEqual(KEY);
  });

  it.skipIf(process.platform === "win32")("refuses a key file other users can read or write, saying how to fix it", () => {
    mkdirSync(path.dirname(keyFile));
    writeFileSync(keyFile, `${KEY.toString("base64")}\n`, { mode: 0o600 });
    for (const mode of [0o644, 0o640, 0o602]) {
      chmodSync(keyFile, mode);
      expect(() => loadMasterKey({ env: undefined, keyFile })).toThrow(KeyFileError);
      expect(() => loadMasterKey({ env: undefined, keyFile })).toThrow(`chmod 600 "${keyFile}"`);
    }
    chmodSync(keyFile, 0o400);
    expect(loadMasterKey({ env: undefined, keyFile })).toEqual(KEY);
  });

  it("refuses a damaged, short or empty key file with an error naming its path", () => {
    mkdirSync(path.dirname(keyFile));
    for (const content of ["not a key\n", `${KEY.subarray(0, 31).toString("base64")}\n`, `${KEY.toString("base64").slice(0, 40)}\n`, "\n"]) {
      writeFileSync(keyFile, content, { mode: 0o600 });
      // (An empty file is re-read for a second first: it may be one another process is writing.)
      expect(() => loadMasterKey({ env: undefined, keyFile })).toThrow(new RegExp(`the key file ${keyFile} is (damaged|empty).*Restore it from a backup`));
    }
  });

  it("refuses a directory where the key file should be", () => {
    mkdirSync(keyFile, { recursive: true });
    expect(() => loadMasterKey({ env: undefined, keyFile })).toThrow(`the key file ${keyFile} is not a regular file`);
  });

  it("gives processes starting at the same moment one and the same key", async () => {
    const moduleUrl = new URL("./master-key.ts", import.meta.url).href;
    const startAt = Date.now() + 1_500;
    const script = `
      const { loadMasterKey } = await import(${JSON.stringify(moduleUrl)});
      while (Date.now() < ${startAt}) {}
      process.stdout.write(loadMasterKey({ env: undefined, keyFile: ${JSON.stringify(keyFile)} }).toString("hex"));
    `;
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
        let out = "";
        let err = "";
        child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
      });
    const keys = await Promise.all(Array.from({ length: 6 }, run));
    expect(new Set(keys).size).toBe(1);
    expect(readFileSync(keyFile, "utf8").trim()).toBe(Buffer.from(keys[0] ?? "", "hex").toString("base64"));
    expect(readdirSync(path.dirname(keyFile))).toEqual(["secret.key"]);
  }, 30_000);
});

/** RFC 5869 written out with HMAC, so the test does not trust the code under test. */
function hkdfSha256(ikm: Buffer, salt: string, info: string, length: number): Buffer {
  const prk = createHmac("sha256", salt).update(ikm).digest();
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let counter = 1; blocks.length * 32 < length; counter += 1) {
    previous = createHmac("sha256", prk).update(Buffer.concat([previous, Buffer.from(info), Buffer.from([counter])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

describe("deriveKey", () => {
  it("is HKDF-SHA256 with salt agentflow/vault/v1 and info agentflow:<purpose> (pinned: changing it loses data)", () => {
    expect(deriveKey(KEY, "credentials:v1")).toEqual(hkdfSha256(KEY, "agentflow/vault/v1", "agentflow:credentials:v1", 32));
    expect(deriveKey(KEY, "auth-session", 64)).toEqual(hkdfSha256(KEY, "agentflow/vault/v1", "agentflow:auth-session", 64));
  });

  it("gives each purpose and each master key its own key, deterministically", () => {
    const credentials = deriveKey(KEY, "credentials:v1");
    expect(deriveKey(KEY, "credentials:v1")).toEqual(credentials);
    expect(deriveKey(KEY, "auth-session")).not.toEqual(credentials);
    expect(deriveKey(KEY, "credentials:v2")).not.toEqual(credentials);
    expect(deriveKey(randomBytes(32), "credentials:v1")).not.toEqual(credentials);
    expect(credentials).not.toEqual(KEY);
  });

  it("refuses a wrong-size master key, an odd purpose or length", () => {
    expect(() => deriveKey(KEY.subarray(0, 16), "credentials:v1")).toThrow("32 bytes");
    expect(() => deriveKey(KEY, "")).toThrow("purpose");
    expect(() => deriveKey(KEY, "Credentials v1")).toThrow("purpose");
    expect(() => deriveKey(KEY, "auth-session", 8)).toThrow("16 to");
    expect(() => deriveKey(KEY, "auth-session", 1.5)).toThrow("16 to");
  });
});
