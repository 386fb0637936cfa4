import { hkdfSync, randomBytes, scryptSync } from "node:crypto";
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * The root key of everything the app keeps secret. It comes from `AGENTFLOW_SECRET_KEY`, or,
 * when that is unset, from a key file generated once at first start (`.data/secret.key`).
 * Nothing uses it directly: each purpose (stored credentials, the auth library's session
 * secret, ...) gets its own key from `deriveKey`, so one derived key leaking reveals neither
 * the master key nor its siblings.
 *
 * Synchronous on purpose: it runs once while a process starts, before anything can use a
 * key, and both the web app and the worker need the answer before they do anything else.
 */

export const MASTER_KEY_BYTES = 32;
export const MIN_PASSPHRASE_CHARS = 32;

/**
 * scrypt for passphrases: an operator may type a sentence rather than random bytes, and
 * HKDF is not a password hash — with HKDF, anyone holding a database dump could test
 * guesses at the speed of SHA-256. scrypt makes each guess cost ~32 MiB and tens of ms.
 * The salt is fixed because the web app and the worker (and every restart) must derive the
 * same key from nothing but the variable; a stored random salt would be a second secret
 * file, which is what the variable exists to avoid. The ≥ 32 character rule carries the
 * rest. CHANGING ANY OF THESE MAKES EVERY STORED SECRET UNREADABLE.
 */
const PASSPHRASE_KDF = {
  salt: "agentflow/AGENTFLOW_SECRET_KEY/v1",
  N: 2 ** 15,
  r: 8,
  p: 1,
  maxmem: 64 * 1024 * 1024,
} as const;

/** HKDF-SHA256 parameters of `deriveKey`. Changing them makes every stored secret unreadable. */
const DERIVE_SALT = "agentflow/vault/v1";
const DERIVE_INFO_PREFIX = "agentflow:";
const PURPOSE = /^[a-z0-9][a-z0-9:._/-]{0,127}$/;
/** HKDF-SHA256 can expand to at most 255 hash lengths. */
const MAX_DERIVED_BYTES = 255 * 32;

/** A key file that is empty may be one another process has just created and not yet written. */
const EMPTY_FILE_RETRIES = 20;
const EMPTY_FILE_RETRY_MS = 50;

const ENV_NAME = "AGENTFLOW_SECRET_KEY";

/** The key file is missing its key, unreadable, too open, or damaged; the message names its path. */
export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyFileError";
  }
}

export type LoadMasterKeyOptions = {
  /** The value of AGENTFLOW_SECRET_KEY; undefined, empty or blank means "not set". */
  env: string | undefined;
  /** Where the generated key lives when the variable is not set, e.g. `.data/secret.key`. */
  keyFile: string;
};

/**
 * The 32-byte master key. With `env` set: base64 or hex of exactly 32 bytes, or a passphrase
 * of at least 32 characters (stretched with scrypt). Otherwise the key file is read, or, on
 * the very first start, created atomically with mode 0600 — when the web app and the worker
 * start at the same moment, exactly one file is created and both use the key in it.
 *
 * A blank variable counts as unset: `AGENTFLOW_SECRET_KEY=${AGENTFLOW_SECRET_KEY}` in a
 * compose file yields "" on a host without the variable, and the key file is then the
 * intended fallback.
 */
export function loadMasterKey({ env, keyFile }: LoadMasterKeyOptions): Buffer {
  const configured = env?.trim();
  if (configured) return keyFromEnv(configured);
  return readKeyFile(keyFile) ?? createKeyFile(keyFile);
}

/**
 * A key for one purpose ("credentials:v1", "auth-session"), derived from the master key with
 * HKDF-SHA256. Purposes are lowercase names; a new version of a purpose ("credentials:v2")
 * is how its key would be rotated without touching the master key.
 */
export function deriveKey(master: Buffer, purpose: string, bytes = 32): Buffer {
  if (master.length !== MASTER_KEY_BYTES) throw new TypeError(`the master key must be ${MASTER_KEY_BYTES} bytes`);
  if (!PURPOSE.test(purpose)) throw new TypeError(`invalid key purpose "${purpose}" (lowercase letters, digits and : . _ / -)`);
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > MAX_DERIVED_BYTES) {
    throw new TypeError(`a derived key is 16 to ${MAX_DERIVED_BYTES} bytes`);
  }
  return Buffer.from(hkdfSync("sha256", master, DERIVE_SALT, `${DERIVE_INFO_PREFIX}${purpose}`, bytes));
}

function keyFromEnv(value: string): Buffer {
  const raw = parseRawKey(value);
  if (raw) return raw;
  const chars = [...value].length;
  // A mistyped key must not quietly become a passphrase: fixing the typo later would change
  // the key and make everything sealed in between unreadable.
  if (/^[0-9a-fA-F]+$/.test(value) && chars >= MIN_PASSPHRASE_CHARS) {
    throw new Error(`${ENV_NAME} looks like hex but has ${chars} characters; 32 bytes as hex are 64 characters.`);
  }
  if (/^[A-Za-z0-9+/_-]+={1,2}$/.test(value)) {
    throw new Error(`${ENV_NAME} looks like padded base64 but is not 32 bytes; 32 bytes as base64 are 44 characters.`);
  }
  if (chars >= MIN_PASSPHRASE_CHARS) {
    const { salt, ...cost } = PASSPHRASE_KDF;
    return scryptSync(value, salt, MASTER_KEY_BYTES, cost);
  }
  // Never echo the value: it is a secret even when it is a wrong one.
  throw new Error(
    `${ENV_NAME} must be 32 random bytes as base64 (44 characters, e.g. from \`openssl rand -base64 32\`) ` +
      `or as hex (64 characters), or a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters; ` +
      `the value given has ${chars} characters. Unset it to use a generated key file instead.`,
  );
}

/** Exactly 32 bytes as hex or as canonical base64/base64url (padding optional); else null. */
function parseRawKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (!/^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/.test(text)) return null;
  const key = Buffer.from(text, "base64");
  // Canonical only: the last character's spare bits must be zero, so one key has one spelling.
  const normalized = text.replace(/=$/, "").replaceAll("-", "+").replaceAll("_", "/");
  if (key.length !== MASTER_KEY_BYTES || key.toString("base64").replace(/=$/, "") !== normalized) return null;
  return key;
}

/** The key in `file`, or undefined when there is no such file. */
function readKeyFile(file: string): Buffer | undefined {
  for (let attempt = 0; ; attempt += 1) {
    let text: string;
    try {
      checkKeyFileMode(file);
      text = readFileSync(file, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      if (error instanceof KeyFileError) throw error;
      throw new KeyFileError(`cannot read the key file ${file}: ${errorCode(error) ?? String(error)}`);
    }
    const trimmed = text.trim();
    if (trimmed === "" && attempt < EMPTY_FILE_RETRIES) {
      sleepSync(EMPTY_FILE_RETRY_MS);
      continue;
    }
    const key = parseRawKey(trimmed);
    if (key) return key;
    throw new KeyFileError(
      `the key file ${file} is ${trimmed === "" ? "empty" : "damaged"} (expected 32 random bytes as base64 on one line). ` +
        `Restore it from a backup: stored credentials cannot be decrypted without the original key. ` +
        `Deleting it makes a new key and leaves every stored credential unreadable.`,
    );
  }
}

/**
 * Refuses a key file other users can read or write, like ssh refuses such a private key.
 * A warning would be easy to miss in a log, while the fix is one command; and a file this
 * module created is always 0600, so a wider mode means it was copied or changed carelessly.
 * (Group-readable is refused too: the web app and the worker run as the same user.) Windows
 * has no such mode bits, so the check is skipped there.
 */
function checkKeyFileMode(file: string): void {
  const stats = statSync(file);
  if (!stats.isFile()) throw new KeyFileError(`the key file ${file} is not a regular file`);
  if (process.platform === "win32") return;
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new KeyFileError(
      `the key file ${file} can be read or changed by other users (mode ${mode.toString(8).padStart(4, "0")}); ` +
        `it decrypts every stored credential. Run: chmod 600 "${file}"`,
    );
  }
}

/**
 * Writes a fresh key to a private temp file, then hard-links it into place. `link` never
 * replaces an existing file (unlike `rename`), so when two processes race, exactly one wins
 * and the loser reads the winner's complete file — never a half-written one, and never a
 * key that is later overwritten by the other's.
 */
function createKeyFile(file: string): Buffer {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(MASTER_KEY_BYTES);
  const text = `${key.toString("base64")}\n`;
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  writeNewFile(temp, text);
  try {
    linkSync(temp, file);
    syncDirectory(dir);
    return key;
  } catch (error) {
    const code = errorCode(error);
    if (code === "EEXIST") return existingKey(file);
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") {
      // No hard links on this filesystem (some network and FUSE mounts): create the file
      // itself exclusively. A racing reader may see it empty for a moment; readKeyFile waits.
      return createExclusively(file, key, text);
    }
    throw new KeyFileError(`cannot create the key file ${file}: ${code ?? String(error)}`);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone or never created; nothing secret is left behind either way.
    }
  }
}

function createExclusively(file: string, key: Buffer, text: string): Buffer {
  try {
    writeNewFile(file, text);
  } catch (error) {
    if (errorCode(error) === "EEXIST") return existingKey(file);
    throw new KeyFileError(`cannot create the key file ${file}: ${errorCode(error) ?? String(error)}`);
  }
  syncDirectory(path.dirname(file));
  return key;
}

function existingKey(file: string): Buffer {
  const key = readKeyFile(file);
  if (!key) throw new KeyFileError(`the key file ${file} disappeared while it was being created`);
  return key;
}

/** O_CREAT|O_EXCL with mode 0600 (the umask can only narrow it), flushed to disk. */
function writeNewFile(file: string, text: string): void {
  const fd = openSync(file, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** So the new directory entry survives a power cut (best effort: not every platform allows it). */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open a directory; the file's own fsync already happened.
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}
