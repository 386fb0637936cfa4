import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, type Harness } from "./support/harness";
import { createTestUser } from "./support/identities";
import { applyMigrations } from "../scripts/migrate";
import { createOwner, ensureOwnerFromEnv, needsOwner } from "../server/auth/setup";
import { ConflictError } from "../server/errors";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";

/**
 * First start: the owner account is made once (the setup page, or AGENTFLOW_OWNER_* for a
 * headless install), never again; SSO is offered only when configured.
 */

let harness: Harness;
const fresh = { name: `agentflow_fresh_${randomBytes(4).toString("hex")}`, url: "" };

beforeAll(async () => {
  harness = await startHarness({ worker: false });
  // A database of its own, on the same server, for a truly fresh install.
  const base = new URL(process.env.DATABASE_URL as string);
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${fresh.name}"`);
  await admin.end();
  base.pathname = `/${fresh.name}`;
  fresh.url = base.toString();
  await applyMigrations(fresh.url);
});

afterAll(async () => {
  await harness.stop();
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${fresh.name}" WITH (FORCE)`);
  await admin.end();
});

it("a headless first start (AGENTFLOW_OWNER_EMAIL/PASSWORD) creates the owner, with a workspace and the sample", async () => {
  const email = "headless-owner@agentflow.test";
  const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, DATABASE_URL: fresh.url, AGENTFLOW_OWNER_EMAIL: email, AGENTFLOW_OWNER_PASSWORD: "headless owner password", QUEUE_PREFIX: `first-start-${randomBytes(3).toString("hex")}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the worker did not get ready: ${output}`)), 30_000);
      const check = setInterval(() => {
        if (output.includes("[worker] ready")) {
          clearTimeout(timer);
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
  } finally {
    child.kill("SIGTERM");
  }
  // The worker's JSON log line (server/ops/log.ts) names the account it created.
  const created = output.split("\n").find((line) => line.includes('"msg":"created the owner account"'));
  expect(created, output).toContain(`"email":"${email}"`);
  expect(output).not.toContain("headless owner password");

  const db = new pg.Client({ connectionString: fresh.url });
  await db.connect();
  try {
    const { rows: users } = await db.query(`SELECT u."email", m."role", w."name" AS workspace, a."password" IS NOT NULL AS "hasPassword"
      FROM "User" u JOIN "Member" m ON m."userId" = u."id" JOIN "Workspace" w ON w."id" = m."workspaceId" JOIN "Account" a ON a."userId" = u."id"`);
    expect(users).toEqual([{ email, role: "owner", workspace: "Owner's workspace", hasPassword: true }]);
    const { rows: workflows } = await db.query(`SELECT "name" FROM "Workflow"`);
    expect(workflows.map((w: { name: string }) => w.name)).toEqual(["Sample: release notes with approval"]);
  } finally {
    await db.end();
  }
});

it("once anyone has an account, setup refuses and the owner variables change nothing", async () => {
  await createTestUser("existing");
  expect(await needsOwner(harness.db)).toBe(false);
  await expect(createOwner(harness.db, { name: "Late", email: "late@agentflow.test", password: "a long password" })).rejects.toBeInstanceOf(ConflictError);
  process.env.AGENTFLOW_OWNER_EMAIL = "another@agentflow.test";
  process.env.AGENTFLOW_OWNER_PASSWORD = "another long password";
  try {
    // getEnv() was read already in this process: the variables are re-read by a fresh env only,
    // so this asserts the database rule itself.
    expect(["exists", "not configured"]).toContain(await ensureOwnerFromEnv(harness.db));
    expect(await harness.db.user.count({ where: { email: "another@agentflow.test" } })).toBe(0);
  } finally {
    delete process.env.AGENTFLOW_OWNER_EMAIL;
    delete process.env.AGENTFLOW_OWNER_PASSWORD;
  }
});

it("without OIDC settings the sign-in page offers no SSO", async () => {
  const response = await trpcRoute.GET(new Request("http://localhost:3100/api/trpc/setup.status", { headers: { host: "localhost:3100" } }));
  expect(response.status).toBe(200);
  const body = (await response.json()) as { result: { data: { json: { sso: unknown } } } };
  expect(body.result.data.json.sso).toBeNull();
});

it("a session survives a restart: another process with the same database and key accepts the cookie", async () => {
  const user = await createTestUser("returning");
  const script = `import("./server/auth/request.ts").then(async (m) => {
    const who = await m.sessionUser(new Headers({ cookie: process.env.TEST_COOKIE }));
    console.log("SESSION " + JSON.stringify(who && { id: who.id, email: who.email }));
    process.exit(0);
  })`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, TEST_COOKIE: user.cookie },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once("exit", resolve));
  expect(output).toContain(`SESSION ${JSON.stringify({ id: user.id, email: user.email })}`);
});
