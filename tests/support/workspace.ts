import type { WorkspaceAccess } from "../../server/auth/access";
import type { Db } from "../../server/db";
import { newId } from "../../server/ids";

/**
 * Integration tests that drive runs below the API get a workspace of their own (one per test
 * file, made on first use), so every row they create belongs somewhere, as in the app.
 */
let workspaceId: Promise<string> | undefined;

export function testWorkspace(db: Db): Promise<string> {
  workspaceId ??= (async () => {
    const id = newId("ws");
    await db.workspace.create({ data: { id, name: `test ${id}` } });
    return id;
  })();
  return workspaceId;
}

/** What startRun needs besides the workflow: the workspace, and who started the run. */
export async function testRunScope(db: Db): Promise<{ workspaceId: string; startedBy: string }> {
  return { workspaceId: await testWorkspace(db), startedBy: "integration test" };
}

/** Acting as the system inside the test workspace (answers to human tasks, run control). */
export async function testAccess(db: Db): Promise<WorkspaceAccess> {
  return { workspaceId: await testWorkspace(db), actor: { kind: "system", name: "integration test" }, ip: null };
}
