import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkBuild, recordBuild, sourceHash } from "./build";

let root: string;

function write(rel: string, content: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), content);
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "agentflow-build-"));
  write("app/page.tsx", "export default function Page() { return null; }");
  write("server/db.ts", "export const db = 1;");
  write("server/generated/prisma/client.ts", "generated v1");
  write("server/db.test.ts", "test v1");
  write("next.config.js", "export default {};");
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("sourceHash", () => {
  it("changes when a build input changes or appears, and only then", () => {
    const before = sourceHash(root);
    expect(sourceHash(root)).toBe(before);

    write("server/generated/prisma/client.ts", "generated v2"); // regenerated, not a source
    write("server/db.test.ts", "test v2"); // tests don't feed the build
    write("README.md", "docs"); // not a build input
    expect(sourceHash(root)).toBe(before);

    write("app/page.tsx", "export default function Page() { return 1; }");
    const edited = sourceHash(root);
    expect(edited).not.toBe(before);

    write("components/ui/button.tsx", "export {}");
    const added = sourceHash(root);
    expect(added).not.toBe(edited);

    // Shared browser-and-server code and the pages/api route feed the build too.
    write("lib/wire.ts", "export {}");
    const withLib = sourceHash(root);
    expect(withLib).not.toBe(added);
    write("pages/api/runs/[runId]/events.ts", "export default function handler() {}");
    expect(sourceHash(root)).not.toBe(withLib);
  });

  it("tells a renamed file from an unchanged tree", () => {
    const before = sourceHash(root);
    rmSync(path.join(root, "server/db.ts"));
    write("server/database.ts", "export const db = 1;");
    expect(sourceHash(root)).not.toBe(before);
  });
});

describe("checkBuild", () => {
  it("is stale without a build, fresh after recording one, stale again after an edit", () => {
    expect(checkBuild(root)).toMatchObject({ stale: true, reason: "no production build yet" });

    write(".next/BUILD_ID", "abc");
    const check = checkBuild(root);
    expect(check.stale).toBe(true); // a build we didn't record may predate any edit
    recordBuild(root, check.hash);
    expect(checkBuild(root).stale).toBe(false);

    write("next.config.js", "export default { reactStrictMode: true };");
    expect(checkBuild(root)).toMatchObject({ stale: true, reason: "sources changed since the last build" });
  });
});
