import type pg from "pg";
import { getPool, type Db } from "../db";
import { getEnv } from "../env";
import { ConflictError } from "../errors";
import { newId } from "../ids";
import { recordAudit } from "../audit/audit";
import { createWorkspace } from "./workspaces";
import type { NewAccount } from "./accounts";

/** Serialises first-start setup across processes (web and worker may both try). */
const SETUP_LOCK_KEY = 720_707_370;

export async function needsOwner(db: Db): Promise<boolean> {
  return (await db.user.count()) === 0;
}

async function withSetupLock<T>(work: () => Promise<T>): Promise<T> {
  const client: pg.PoolClient = await getPool().connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [SETUP_LOCK_KEY]);
    return await work();
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [SETUP_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

/**
 * Creates the first account, as owner. Refused once any user exists, so the setup page
 * cannot be used to take over an installed app. An install that had workflows before
 * accounts existed keeps them: their workspace (made by the migration) goes to this owner.
 * Returns the Set-Cookie headers of the new session.
 */
export async function createOwner(db: Db, account: NewAccount, ip: string | null = null): Promise<{ userId: string; workspaceId: string; headers: Headers }> {
  return withSetupLock(async () => {
    if (!(await needsOwner(db))) throw new ConflictError("AgentFlow is already set up: sign in instead");
    // The account code loads better-auth (~0.5 s and ~40 MiB): only when an owner is really
    // created, so a worker that merely checks for one at start (workers/main.ts) never pays for it.
    const { signUp } = await import("./accounts");
    const { user, headers } = await signUp(account);
    const owner = { kind: "user" as const, id: user.id, name: user.name, email: user.email };
    const orphan = await db.workspace.findFirst({ where: { members: { none: {} } }, orderBy: { createdAt: "asc" }, select: { id: true, name: true } });
    let workspaceId: string;
    if (orphan) {
      await db.member.create({ data: { id: newId("mem"), workspaceId: orphan.id, userId: user.id, role: "owner" } });
      await recordAudit(db, { workspaceId: orphan.id, actor: owner, ip }, "member.joined", { kind: "user", id: user.id, name: user.name }, { role: "owner", via: "first start" });
      workspaceId = orphan.id;
    } else {
      workspaceId = (await createWorkspace(db, { name: `${user.name}'s workspace`, owner, ip })).id;
    }
    return { userId: user.id, workspaceId, headers };
  });
}

/**
 * Headless first start (docker, CI): AGENTFLOW_OWNER_EMAIL and AGENTFLOW_OWNER_PASSWORD
 * create the owner when no user exists yet; afterwards they are ignored.
 */
export async function ensureOwnerFromEnv(db: Db): Promise<"created" | "exists" | "not configured"> {
  const env = getEnv();
  if (!env.AGENTFLOW_OWNER_EMAIL || !env.AGENTFLOW_OWNER_PASSWORD) return "not configured";
  if (!(await needsOwner(db))) return "exists";
  try {
    await createOwner(db, { name: env.AGENTFLOW_OWNER_NAME, email: env.AGENTFLOW_OWNER_EMAIL, password: env.AGENTFLOW_OWNER_PASSWORD });
    return "created";
  } catch (error) {
    // Another process won the race.
    if (error instanceof ConflictError) return "exists";
    throw error;
  }
}

