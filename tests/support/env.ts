import { randomBytes } from "node:crypto";

/**
 * Each integration test file gets its own BullMQ prefix so files never share a queue,
 * and must run with DATABASE_URL/REDIS_URL from `scripts/with-services.ts`.
 */
export function isolateTestEnv(demoModelUrl?: string): void {
  if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
    throw new Error("Integration tests need DATABASE_URL and REDIS_URL: run them with `npm run test:integration`");
  }
  process.env.QUEUE_PREFIX = `test-${randomBytes(4).toString("hex")}`;
  if (demoModelUrl) process.env.DEMO_MODEL_URL = demoModelUrl;
  process.env.APP_URL ??= "http://localhost:3100";
  // Never the app's own vault key (.data/secret.key).
  process.env.AGENTFLOW_SECRET_KEY_FILE ??= ".data/test/secret.key";
}
