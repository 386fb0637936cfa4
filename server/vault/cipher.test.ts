import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, VaultDecryptError } from "./cipher";

const key = randomBytes(32);
const aad = "ws_1:github";

function failure(run: () => unknown): VaultDecryptError {
  try {
    run();
  } catch (error) {
    if (error instanceof VaultDecryptError) return error;
    throw error;
  }
  throw new Error("expected a VaultDecryptError");
}

/** Changes one character of a base64url part into another valid one. */
function flip(part: string, index = 0): string {
  const char = part[index] === "A" ? "B" : "A";
  return part.slice(0, index) + char + part.slice(index + 1);
}

describe("encryptSecret / decryptSecret", () => {
  it("round-trips ordinary, empty, non-ASCII and 1 MB secrets", () => {
    for (const secret of ["ghp_abc123", "", "pässwörd 🔑 密钥 \"quoted\" \\ /", "x".repeat(1024 * 1024)]) {
      const sealed = encryptSecret(key, secret, aad);
      expect(decryptSecret(key, sealed, aad)).toBe(secret);
    }
  });

  it("writes v1.<iv>.<ciphertext>.<tag> in base64url with a 12-byte IV and 16-byte tag, hiding the plaintext", () => {
    const sealed = encryptSecret(key, "ghp_abc123", aad);
    const [version, iv, ciphertext, tag, ...rest] = sealed.split(".");
    expect(version).toBe("v1");
    expect(rest).toEqual([]);
    expect(Buffer.from(iv ?? "", "base64url")).toHaveLength(12);
    expect(Buffer.from(ciphertext ?? "", "base64url")).toHaveLength("ghp_abc123".length);
    expect(Buffer.from(tag ?? "", "base64url")).toHaveLength(16);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("ghp_abc123");
  });

  it("uses a fresh IV every time, so equal secrets never look equal", () => {
    const ivs = new Set<string>();
    const sealed = new Set<string>();
    for (let index = 0; index < 10_000; index += 1) {
      const value = encryptSecret(key, "same secret", aad);
      sealed.add(value);
      ivs.add(value.split(".")[1] ?? "");
    }
    expect(ivs.size).toBe(10_000);
    expect(sealed.size).toBe(10_000);
  });

  it("detects tampering with each part", () => {
    const sealed = encryptSecret(key, "ghp_abc123", aad);
    const [version, iv = "", ciphertext = "", tag = ""] = sealed.split(".");
    const tampered = [
      [version, flip(iv), ciphertext, tag],
      [version, iv, flip(ciphertext), tag],
      [version, iv, flip(ciphertext, ciphertext.length - 2), tag],
      [version, iv, ciphertext, flip(tag)],
      [version, iv, ciphertext + "AA", tag],
    ];
    for (const parts of tampered) {
      expect(failure(() => decryptSecret(key, parts.join("."), aad)).reason).toBe("authentication_failed");
    }
  });

  it("refuses malformed values and other versions without decrypting", () => {
    const sealed = encryptSecret(key, "ghp_abc123", aad);
    const [, iv = "", ciphertext = "", tag = ""] = sealed.split(".");
    const cases: Array<[string, string]> = [
      ["", "malformed"],
      ["v1.abc", "malformed"],
      [`${sealed}.extra`, "malformed"],
      [`v2.${iv}.${ciphertext}.${tag}`, "unsupported_version"],
      [`x1.${iv}.${ciphertext}.${tag}`, "malformed"],
      // Not base64url, or not its only spelling (Node's decoder would skip the "!" or the spare bits).
      [`v1.${iv}!.${ciphertext}.${tag}`, "malformed"],
      [`v1.${iv}.${ciphertext}.${tag}=`, "malformed"],
      [`v1.${iv.slice(0, -1)}${iv.endsWith("A") ? "B" : "A"}.${ciphertext}.${tag}`, "authentication_failed"],
      // A truncated tag or short IV is refused outright, never accepted as a weaker check.
      [`v1.${iv}.${ciphertext}.${tag.slice(0, 16)}`, "malformed"],
      [`v1.${iv.slice(0, 8)}.${ciphertext}.${tag}`, "malformed"],
    ];
    for (const [value, reason] of cases) expect(failure(() => decryptSecret(key, value, aad)).reason).toBe(reason);
  });

  it("binds the ciphertext to its record: another AAD does not decrypt", () => {
    const sealed = encryptSecret(key, "ghp_abc123", "ws_1:github");
    for (const other of ["ws_1:gitlab", "ws_2:github", "ws_1:github ", "WS_1:github"]) {
      expect(failure(() => decryptSecret(key, sealed, other)).reason).toBe("authentication_failed");
    }
  });

  it("does not decrypt with another key", () => {
    const sealed = encryptSecret(key, "ghp_abc123", aad);
    expect(failure(() => decryptSecret(randomBytes(32), sealed, aad)).reason).toBe("authentication_failed");
  });

  it("says nothing about the secret, the key or the record when it fails", () => {
    const sealed = encryptSecret(key, "ghp_abc123", aad);
    const error = failure(() => decryptSecret(randomBytes(32), sealed, "ws_9:other"));
    expect(error.message).not.toMatch(/ghp|ws_|\bother\b|github/);
    expect(error.cause).toBeUndefined();
    expect(error.name).toBe("VaultDecryptError");
  });

  it("refuses a wrong-size key, an empty AAD and text that UTF-8 cannot carry", () => {
    expect(() => encryptSecret(randomBytes(16), "x", aad)).toThrow("32 bytes");
    expect(() => decryptSecret(randomBytes(31), "v1.a.b.c", aad)).toThrow("32 bytes");
    expect(() => encryptSecret(key, "x", "")).toThrow("AAD");
    expect(() => encryptSecret(key, "bad \ud800 surrogate", aad)).toThrow("Unicode");
  });
});
