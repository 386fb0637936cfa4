import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { guardSecretValues } from "../ops/log";

/**
 * Sealing secrets at rest: AES-256-GCM with a random 96-bit IV per encryption and the full
 * 128-bit tag, as one printable string `v1.<iv>.<ciphertext>.<tag>` (base64url parts) that
 * fits a text column. The version prefix leaves room for another algorithm or key later.
 *
 * The AAD ties a ciphertext to the record it belongs to (the caller passes the credential id
 * or `workspaceId:credentialName`): a ciphertext copied into another row does not decrypt.
 *
 * Random IVs under one key are safe for about 2^32 encryptions (NIST SP 800-38D); a
 * credential is encrypted when it is created or rotated, far below that.
 */

const ALGORITHM = "aes-256-gcm";
const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type VaultDecryptFailure = "malformed" | "unsupported_version" | "authentication_failed";

/**
 * A sealed secret could not be opened. The message is the same whatever went wrong and
 * says nothing about the contents; `reason` tells operators a format problem (`malformed`,
 * `unsupported_version`) from a wrong key, wrong record or tampering (`authentication_failed`,
 * which GCM cannot tell apart, by design).
 */
export class VaultDecryptError extends Error {
  constructor(readonly reason: VaultDecryptFailure) {
    super("a stored secret could not be decrypted: it was changed, belongs to another record, or was sealed with another key");
    this.name = "VaultDecryptError";
  }
}

export function encryptSecret(key: Buffer, plaintext: string, aad: string): string {
  assertKey(key);
  assertAad(aad);
  // A lone surrogate would be stored as U+FFFD and come back as a different string.
  if (LONE_SURROGATE.test(plaintext)) throw new TypeError("the secret is not well-formed Unicode text");
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, ciphertext, tag].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

export function decryptSecret(key: Buffer, sealed: string, aad: string): string {
  assertKey(key);
  assertAad(aad);
  const parts = sealed.split(".");
  const [version, ivText, ciphertextText, tagText] = parts;
  if (parts.length !== 4 || version === undefined || ivText === undefined || ciphertextText === undefined || tagText === undefined) {
    throw new VaultDecryptError("malformed");
  }
  if (version !== VERSION) throw new VaultDecryptError(/^v\d+$/.test(version) ? "unsupported_version" : "malformed");
  const iv = decodePart(ivText);
  const ciphertext = decodePart(ciphertextText);
  const tag = decodePart(tagText);
  if (!iv || !ciphertext || !tag || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new VaultDecryptError("malformed");
  // authTagLength pins the tag size, so a truncated tag is never accepted.
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(tag);
  let plaintext: string;
  try {
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new VaultDecryptError("authentication_failed");
  }
  // Whatever is read from the vault can never be printed by a log line (server/ops/log.ts).
  guardSecretValues([plaintext]);
  return plaintext;
}

/**
 * Strict base64url: Node's decoder skips characters outside the alphabet and ignores the
 * last character's spare bits, so without this a sealed value would have many spellings.
 */
function decodePart(text: string): Buffer | null {
  if (!BASE64URL.test(text)) return null;
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : null;
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new TypeError(`an encryption key must be ${KEY_BYTES} bytes`);
}

/** The AAD names a record; an empty one would bind the ciphertext to nothing. */
function assertAad(aad: string): void {
  if (aad === "") throw new TypeError("the AAD must name the record the secret belongs to");
  if (LONE_SURROGATE.test(aad)) throw new TypeError("the AAD is not well-formed Unicode text");
}
