import { link, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WORKSPACE_LIMITS, listWorkspaceFiles, parseWorkspacePath, readWorkspaceFile, writeWorkspaceFile } from "./workspace-files";

let base: string;
let root: string;
/** A file outside the workspace that no tool call may read or change. */
let outsideFile: string;
let outsideDir: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "agentflow-ws-"));
  root = join(base, "workspaces", "run_1");
  outsideDir = join(base, "outside");
  await mkdir(outsideDir);
  outsideFile = join(outsideDir, "secret.txt");
  await writeFile(outsideFile, "TOP SECRET");
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("workspace files", () => {
  it("writes, reads and lists files, creating the workspace and folders on first write", async () => {
    expect(await listWorkspaceFiles(root)).toEqual({ ok: true, path: ".", entries: [], truncated: false });
    expect(await writeWorkspaceFile(root, "notes/today.md", "# Hello\nwörld")).toEqual({ ok: true, path: "notes/today.md", bytes: 14, created: true });
    expect(await writeWorkspaceFile(root, "./notes//today.md", "replaced")).toEqual({ ok: true, path: "notes/today.md", bytes: 8, created: false });
    await writeWorkspaceFile(root, "a.txt", "A");
    expect(await readWorkspaceFile(root, "notes/today.md")).toEqual({ ok: true, path: "notes/today.md", content: "replaced", bytes: 8, truncated: false, binary: false });
    expect(await listWorkspaceFiles(root)).toEqual({
      ok: true,
      path: ".",
      entries: [
        { name: "a.txt", type: "file", bytes: 1 },
        { name: "notes", type: "directory" },
      ],
      truncated: false,
    });
    expect(await listWorkspaceFiles(root, "notes")).toMatchObject({ ok: true, path: "notes", entries: [{ name: "today.md", type: "file", bytes: 8 }] });
    // Written atomically: no temporary file is left behind.
    expect(await readdir(join(root, "notes"))).toEqual(["today.md"]);
    expect((await stat(join(root, "notes", "today.md"))).mode & 0o777).toBe(0o600);
  });

  it("reports missing files and wrong kinds clearly", async () => {
    expect(await readWorkspaceFile(root, "nope.txt")).toEqual({ ok: false, error: "not found: nope.txt" });
    await writeWorkspaceFile(root, "dir/file.txt", "x");
    expect(await readWorkspaceFile(root, "missing/file.txt")).toEqual({ ok: false, error: "not found: missing/file.txt" });
    expect(await readWorkspaceFile(root, "dir")).toEqual({ ok: false, error: "refused: dir is a folder" });
    expect(await writeWorkspaceFile(root, "dir", "x")).toEqual({ ok: false, error: "refused: dir is a folder" });
    expect(await writeWorkspaceFile(root, "dir/file.txt/child", "x")).toEqual({ ok: false, error: "refused: dir/file.txt is not a folder" });
    expect(await listWorkspaceFiles(root, "nowhere")).toEqual({ ok: false, error: "not found: nowhere" });
  });

  it.each([
    ["../x", 'refused: ../x leaves the workspace (".." is not allowed)'],
    ["a/../../x", 'refused: a/../../x leaves the workspace (".." is not allowed)'],
    ["a/../b", 'refused: a/../b leaves the workspace (".." is not allowed)'],
    ["/etc/passwd", "refused: /etc/passwd is an absolute path; paths are relative to the workspace"],
    ["C:/Windows/win.ini", "refused: C:/Windows/win.ini is an absolute path; paths are relative to the workspace"],
    ["~/.ssh/id_rsa", "refused: ~/.ssh/id_rsa is an absolute path; paths are relative to the workspace"],
    ["..\\x", 'refused: ..\\x contains "\\"; use / to separate folders'],
    ["a\0b", "refused: the path contains a NUL byte"],
    ["", "refused: the path is empty"],
  ])("refuses %j for every operation", async (path, error) => {
    await writeWorkspaceFile(root, "keep.txt", "k");
    expect(await readWorkspaceFile(root, path)).toEqual({ ok: false, error });
    expect(await writeWorkspaceFile(root, path, "pwned")).toEqual({ ok: false, error });
    expect(await listWorkspaceFiles(root, path)).toEqual({ ok: false, error });
    expect(await readFile(outsideFile, "utf8")).toBe("TOP SECRET");
    expect(await readdir(join(base, "workspaces"))).toEqual(["run_1"]);
  });

  it("never follows a symlink that points outside (file, folder or in the middle of a path)", async () => {
    await mkdir(root, { recursive: true });
    await symlink(outsideFile, join(root, "link.txt"));
    await symlink(outsideDir, join(root, "linkdir"));
    await symlink("/etc", join(root, "etc"));

    expect(await readWorkspaceFile(root, "link.txt")).toEqual({ ok: false, error: "refused: link.txt is a symbolic link" });
    expect(await writeWorkspaceFile(root, "link.txt", "pwned")).toEqual({ ok: false, error: "refused: link.txt is a symbolic link" });
    expect(await readWorkspaceFile(root, "linkdir/secret.txt")).toEqual({ ok: false, error: "refused: linkdir is a symbolic link" });
    expect(await writeWorkspaceFile(root, "linkdir/new.txt", "pwned")).toEqual({ ok: false, error: "refused: linkdir is a symbolic link" });
    expect(await writeWorkspaceFile(root, "linkdir/deeper/new.txt", "pwned")).toEqual({ ok: false, error: "refused: linkdir is a symbolic link" });
    expect(await readWorkspaceFile(root, "etc/passwd")).toEqual({ ok: false, error: "refused: etc is a symbolic link" });
    expect(await listWorkspaceFiles(root, "linkdir")).toEqual({ ok: false, error: "refused: linkdir is a symbolic link" });

    // Listed as links, not as what they point to.
    expect(await listWorkspaceFiles(root)).toMatchObject({
      ok: true,
      entries: [
        { name: "etc", type: "symlink" },
        { name: "link.txt", type: "symlink" },
        { name: "linkdir", type: "symlink" },
      ],
    });
    expect(await readFile(outsideFile, "utf8")).toBe("TOP SECRET");
    expect(await readdir(outsideDir)).toEqual(["secret.txt"]);
  });

  it("refuses a workspace root that is itself a symlink", async () => {
    await mkdir(join(base, "workspaces"), { recursive: true });
    await symlink(outsideDir, root);
    expect(await readWorkspaceFile(root, "secret.txt")).toEqual({ ok: false, error: "refused: the workspace root is not a directory" });
    expect(await writeWorkspaceFile(root, "x.txt", "pwned")).toEqual({ ok: false, error: "refused: the workspace root is not a directory" });
    expect(await readdir(outsideDir)).toEqual(["secret.txt"]);
  });

  it("refuses a hard link to an outside file", async () => {
    await mkdir(root, { recursive: true });
    await link(outsideFile, join(root, "hard.txt"));
    expect(await readWorkspaceFile(root, "hard.txt")).toEqual({ ok: false, error: "refused: hard.txt has other hard links" });
    // A write replaces the workspace's entry and leaves the outside file alone.
    expect(await writeWorkspaceFile(root, "hard.txt", "replaced")).toMatchObject({ ok: true });
    expect(await readFile(outsideFile, "utf8")).toBe("TOP SECRET");
  });

  it("enforces size limits", async () => {
    const big = "x".repeat(WORKSPACE_LIMITS.maxWriteBytes + 1);
    expect(await writeWorkspaceFile(root, "big.txt", big)).toEqual({
      ok: false,
      error: `refused: content is ${WORKSPACE_LIMITS.maxWriteBytes + 1} bytes; the limit is ${WORKSPACE_LIMITS.maxWriteBytes}`,
    });
    // A larger file placed by something else is read only up to the limit.
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "large.log"), "y".repeat(WORKSPACE_LIMITS.maxReadBytes + 10));
    const read = await readWorkspaceFile(root, "large.log");
    expect(read).toMatchObject({ ok: true, truncated: true, bytes: WORKSPACE_LIMITS.maxReadBytes + 10 });
    expect(read.ok && read.content.length).toBe(WORKSPACE_LIMITS.maxReadBytes);
  });

  it("stops a run from filling the disk", async () => {
    const chunk = "z".repeat(WORKSPACE_LIMITS.maxWriteBytes);
    const fits = WORKSPACE_LIMITS.maxWorkspaceBytes / WORKSPACE_LIMITS.maxWriteBytes;
    for (let i = 0; i < fits; i++) expect(await writeWorkspaceFile(root, `part-${i}.txt`, chunk)).toMatchObject({ ok: true });
    expect(await writeWorkspaceFile(root, "one-more.txt", "z")).toEqual({ ok: false, error: "refused: the workspace would exceed 64 MB" });
    // Replacing a file with one of the same size still fits.
    expect(await writeWorkspaceFile(root, "part-0.txt", chunk)).toMatchObject({ ok: true, created: false });
  });

  it("reports binary files without decoding them", async () => {
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "image.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    expect(await readWorkspaceFile(root, "image.png")).toEqual({ ok: true, path: "image.png", content: "", bytes: 7, truncated: false, binary: true });
  });

  it("normalises harmless path forms", () => {
    expect(parseWorkspacePath("./a//b/./c.txt")).toEqual({ ok: true, segments: ["a", "b", "c.txt"], display: "a/b/c.txt" });
    expect(parseWorkspacePath(".")).toEqual({ ok: true, segments: [], display: "." });
    expect(parseWorkspacePath("...")).toEqual({ ok: true, segments: ["..."], display: "..." });
    expect(parseWorkspacePath(".agentflow-tmp-x")).toMatchObject({ ok: false });
  });
});
