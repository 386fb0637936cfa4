import { randomUUID } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { lstat, mkdir, open, readdir, readlink, realpath, rename, unlink, type FileHandle } from "node:fs/promises";
import { join, resolve, sep } from "node:path";

/**
 * read_file, write_file and list_files over a per-run workspace directory (the caller passes
 * its root, e.g. `<WORKSPACES_DIR>/<runId>`). Everything stays inside that root:
 *  - paths are relative, `/`-separated, with no `..` at all (not even one that would stay
 *    inside) — simpler to reason about than normalising and comparing;
 *  - every component is checked with lstat and a symbolic link anywhere is refused, so a link
 *    planted in the workspace (by a person, another tool, an archive) is never followed;
 *  - files are opened with O_NOFOLLOW, then the open descriptor is checked to be the inode
 *    that was inspected and (on Linux) to lie under the workspace's real path, which closes
 *    the window between the checks and the open;
 *  - writes go to a temporary file that is renamed into place: rename replaces a directory
 *    entry and never writes through a link, and a crash never leaves half a file.
 */

export const WORKSPACE_LIMITS = {
  /** read_file returns at most this much (and says it truncated). */
  maxReadBytes: 1_048_576,
  maxWriteBytes: 1_048_576,
  maxListEntries: 500,
  /** Per workspace: one run cannot fill the worker's disk. */
  maxWorkspaceBytes: 64 * 1_048_576,
  maxWorkspaceEntries: 2_000,
  maxDepth: 32,
  maxNameBytes: 255,
  maxPathChars: 1_024,
} as const;

/** Prefix of in-flight write_file temporaries; hidden from list_files and refused as a name. */
const TEMP_PREFIX = ".agentflow-tmp-";

type Failure = { ok: false; error: string };

export type ReadFileResult =
  | { ok: true; path: string; content: string; bytes: number; truncated: boolean; binary: boolean }
  | Failure;
export type WriteFileResult = { ok: true; path: string; bytes: number; created: boolean } | Failure;
export type WorkspaceEntry = { name: string; type: "file" | "directory" | "symlink" | "other"; bytes?: number };
export type ListFilesResult = { ok: true; path: string; entries: WorkspaceEntry[]; truncated: boolean } | Failure;

/** Split a workspace-relative path into checked segments ("." and "" dropped). */
export function parseWorkspacePath(path: string): { ok: true; segments: string[]; display: string } | Failure {
  const shown = path.length > 120 ? `${path.slice(0, 120)}…` : path;
  if (path.length === 0) return { ok: false, error: "refused: the path is empty" };
  if (path.length > WORKSPACE_LIMITS.maxPathChars) return { ok: false, error: "refused: the path is too long" };
  if (path.includes("\0")) return { ok: false, error: "refused: the path contains a NUL byte" };
  if (path.startsWith("/") || path.startsWith("\\") || /^[a-zA-Z]:/.test(path) || path.startsWith("~/")) {
    return { ok: false, error: `refused: ${shown} is an absolute path; paths are relative to the workspace` };
  }
  if (path.includes("\\")) return { ok: false, error: `refused: ${shown} contains "\\"; use / to separate folders` };
  const segments = path.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) return { ok: false, error: `refused: ${shown} leaves the workspace (".." is not allowed)` };
  if (segments.length > WORKSPACE_LIMITS.maxDepth) return { ok: false, error: `refused: ${shown} is nested too deeply` };
  for (const segment of segments) {
    if (Buffer.byteLength(segment) > WORKSPACE_LIMITS.maxNameBytes) return { ok: false, error: `refused: a name in ${shown} is too long` };
    if (segment.startsWith(TEMP_PREFIX)) return { ok: false, error: `refused: names starting with ${TEMP_PREFIX} are reserved` };
  }
  return { ok: true, segments, display: segments.length ? segments.join("/") : "." };
}

export async function readWorkspaceFile(root: string, path: string): Promise<ReadFileResult> {
  const parsed = parseWorkspacePath(path);
  if (!parsed.ok) return parsed;
  const { segments, display } = parsed;
  const name = segments.at(-1);
  if (name === undefined) return { ok: false, error: "refused: . is a folder; use list_files" };

  const workspace = await openRoot(root, false);
  if (!workspace.ok) return workspace.missing ? { ok: false, error: `not found: ${display}` } : workspace;
  const parent = await walkFolders(workspace.root, segments.slice(0, -1), false);
  if (!parent.ok) return parent.missing ? { ok: false, error: `not found: ${display}` } : parent;

  const target = join(parent.dir, name);
  const seen = await lstatOrNull(target);
  if (!seen) return { ok: false, error: `not found: ${display}` };
  const kind = refuseNonFile(seen, display);
  if (kind) return kind;
  // A hard link can make a file outside the workspace appear inside it.
  if (seen.nlink > 1) return { ok: false, error: `refused: ${display} has other hard links` };

  let handle: FileHandle;
  try {
    // O_NONBLOCK: if the entry were swapped for a FIFO after the lstat, open must not hang.
    handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, error: openError(error, display) };
  }
  try {
    const opened = await checkOpened(handle, seen, workspace.realRoot, display);
    if (opened) return opened;
    const limit = WORKSPACE_LIMITS.maxReadBytes;
    const buffer = Buffer.alloc(Math.min(seen.size, limit) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const truncated = bytesRead > limit;
    const data = buffer.subarray(0, Math.min(bytesRead, limit));
    const binary = data.subarray(0, 8_192).includes(0);
    return {
      ok: true,
      path: display,
      content: binary ? "" : new TextDecoder("utf-8").decode(data),
      bytes: truncated ? seen.size : bytesRead,
      truncated,
      binary,
    };
  } finally {
    await handle.close();
  }
}

export async function writeWorkspaceFile(root: string, path: string, content: string): Promise<WriteFileResult> {
  const parsed = parseWorkspacePath(path);
  if (!parsed.ok) return parsed;
  const { segments, display } = parsed;
  const name = segments.at(-1);
  if (name === undefined) return { ok: false, error: "refused: . is a folder" };
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > WORKSPACE_LIMITS.maxWriteBytes) {
    return { ok: false, error: `refused: content is ${bytes} bytes; the limit is ${WORKSPACE_LIMITS.maxWriteBytes}` };
  }

  const workspace = await openRoot(root, true);
  if (!workspace.ok) return workspace;
  const parent = await walkFolders(workspace.root, segments.slice(0, -1), true);
  if (!parent.ok) return parent;
  const target = join(parent.dir, name);
  const existing = await lstatOrNull(target);
  if (existing) {
    const kind = refuseNonFile(existing, display);
    if (kind) return kind;
  }

  const usage = await measureWorkspace(workspace.root);
  if (usage.bytes - (existing?.size ?? 0) + bytes > WORKSPACE_LIMITS.maxWorkspaceBytes) {
    return { ok: false, error: `refused: the workspace would exceed ${WORKSPACE_LIMITS.maxWorkspaceBytes / 1_048_576} MB` };
  }
  if (!existing && usage.entries + 1 > WORKSPACE_LIMITS.maxWorkspaceEntries) {
    return { ok: false, error: `refused: the workspace already holds ${WORKSPACE_LIMITS.maxWorkspaceEntries} entries` };
  }

  const temp = join(parent.dir, `${TEMP_PREFIX}${randomUUID()}`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    const outside = await checkOpened(handle, undefined, workspace.realRoot, display);
    if (outside) return outside;
    await handle.writeFile(content, "utf8");
    // Durable: the run may be resumed on another worker after this one dies.
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
    return { ok: true, path: display, bytes, created: !existing };
  } catch (error) {
    return { ok: false, error: openError(error, display) };
  } finally {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
  }
}

export async function listWorkspaceFiles(root: string, path = "."): Promise<ListFilesResult> {
  const parsed = parseWorkspacePath(path);
  if (!parsed.ok) return parsed;
  const { segments, display } = parsed;
  const workspace = await openRoot(root, false);
  if (!workspace.ok) {
    // A run that has not written anything yet has an empty workspace, not a missing one.
    if (workspace.missing && segments.length === 0) return { ok: true, path: display, entries: [], truncated: false };
    return workspace.missing ? { ok: false, error: `not found: ${display}` } : workspace;
  }
  const folder = await walkFolders(workspace.root, segments, false);
  if (!folder.ok) return folder.missing ? { ok: false, error: `not found: ${display}` } : folder;

  const dirents = (await readdir(folder.dir, { withFileTypes: true }))
    .filter((dirent) => !dirent.name.startsWith(TEMP_PREFIX))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const shown = dirents.slice(0, WORKSPACE_LIMITS.maxListEntries);
  const entries: WorkspaceEntry[] = [];
  for (const dirent of shown) {
    // Dirent types come from the directory itself: a symlink is reported as one, not followed.
    if (dirent.isSymbolicLink()) entries.push({ name: dirent.name, type: "symlink" });
    else if (dirent.isDirectory()) entries.push({ name: dirent.name, type: "directory" });
    else if (dirent.isFile()) {
      const stats = await lstatOrNull(join(folder.dir, dirent.name));
      entries.push({ name: dirent.name, type: "file", bytes: stats?.size ?? 0 });
    } else entries.push({ name: dirent.name, type: "other" });
  }
  return { ok: true, path: display, entries, truncated: dirents.length > shown.length };
}

type Located = { ok: true; root: string; realRoot: string };
type WalkFailure = Failure & { missing?: boolean };

/** The workspace root itself must be a real directory (not a link to somewhere else). */
async function openRoot(root: string, create: boolean): Promise<Located | WalkFailure> {
  const absolute = resolve(root);
  let stats = await lstatOrNull(absolute);
  if (!stats && create) {
    await mkdir(absolute, { recursive: true, mode: 0o700 });
    stats = await lstatOrNull(absolute);
  }
  if (!stats) return { ok: false, error: "the workspace does not exist yet", missing: true };
  if (stats.isSymbolicLink() || !stats.isDirectory()) return { ok: false, error: "refused: the workspace root is not a directory" };
  return { ok: true, root: absolute, realRoot: await realpath(absolute) };
}

/** lstat every folder on the way down; optionally create missing ones. Links are refused. */
async function walkFolders(root: string, segments: string[], create: boolean): Promise<{ ok: true; dir: string } | WalkFailure> {
  let current = root;
  for (const [index, segment] of segments.entries()) {
    const next = join(current, segment);
    const shown = segments.slice(0, index + 1).join("/");
    let stats = await lstatOrNull(next);
    if (!stats && create) {
      try {
        await mkdir(next, { mode: 0o700 });
      } catch (error) {
        if (!hasCode(error, "EEXIST")) return { ok: false, error: openError(error, shown) };
      }
      stats = await lstatOrNull(next);
    }
    if (!stats) return { ok: false, error: `not found: ${shown}`, missing: true };
    if (stats.isSymbolicLink()) return { ok: false, error: `refused: ${shown} is a symbolic link` };
    if (!stats.isDirectory()) return { ok: false, error: `refused: ${shown} is not a folder` };
    current = next;
  }
  return { ok: true, dir: current };
}

function refuseNonFile(stats: Stats, display: string): Failure | undefined {
  if (stats.isSymbolicLink()) return { ok: false, error: `refused: ${display} is a symbolic link` };
  if (stats.isDirectory()) return { ok: false, error: `refused: ${display} is a folder` };
  if (!stats.isFile()) return { ok: false, error: `refused: ${display} is not a regular file` };
  return undefined;
}

/**
 * The descriptor we got is the file we inspected (same inode) and, where /proc exists, lies
 * under the workspace's real path — so a folder swapped for a link mid-operation is caught.
 */
async function checkOpened(handle: FileHandle, seen: Stats | undefined, realRoot: string, display: string): Promise<Failure | undefined> {
  const stats = await handle.stat();
  if (!stats.isFile() || (seen && (stats.ino !== seen.ino || stats.dev !== seen.dev))) {
    return { ok: false, error: `refused: ${display} changed while it was being opened` };
  }
  let actual: string;
  try {
    actual = await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return undefined;
  }
  if (!actual.startsWith(realRoot + sep)) return { ok: false, error: `refused: ${display} resolves outside the workspace` };
  return undefined;
}

/** Bytes and entries in the workspace, never following links; stops counting past the limits. */
async function measureWorkspace(root: string): Promise<{ bytes: number; entries: number }> {
  let bytes = 0;
  let entries = 0;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop();
    if (dir === undefined) break;
    let dirents;
    try {
      dirents = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const dirent of dirents) {
      entries++;
      const full = join(dir, dirent.name);
      if (dirent.isDirectory()) pending.push(full);
      else if (dirent.isFile()) bytes += (await lstatOrNull(full))?.size ?? 0;
      if (entries > WORKSPACE_LIMITS.maxWorkspaceEntries || bytes > WORKSPACE_LIMITS.maxWorkspaceBytes) return { bytes, entries };
    }
  }
  return { bytes, entries };
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (error) {
    if (hasCode(error, "ENOENT") || hasCode(error, "ENOTDIR")) return null;
    throw error;
  }
}

function openError(error: unknown, display: string): string {
  if (hasCode(error, "ELOOP")) return `refused: ${display} is a symbolic link`;
  if (hasCode(error, "ENOENT")) return `not found: ${display}`;
  if (hasCode(error, "EISDIR")) return `refused: ${display} is a folder`;
  if (hasCode(error, "ENOSPC") || hasCode(error, "EDQUOT")) return "the disk is full";
  const code = error && typeof error === "object" && "code" in error ? String(error.code) : "error";
  return `could not access ${display} (${code})`;
}

function hasCode(error: unknown, code: string): boolean {
  return Boolean(error && typeof error === "object" && "code" in error && error.code === code);
}
