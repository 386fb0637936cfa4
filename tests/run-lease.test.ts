import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitUntil, type Harness } from "./support/harness";
import { getEnv } from "../server/env";
import { getRedis } from "../server/events";
import { tryAcquireRunLease } from "../server/runs/run-lease";

/** The run lease on the real Redis: exclusive, released, renewed, and noticed when lost. */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ worker: false });
});

afterAll(() => harness.stop());

describe("run lease", () => {
  it("is held by one job at a time and free again once released", async () => {
    const first = await tryAcquireRunLease(getRedis(), "run_lease_a", 1_000, () => undefined);
    expect(first).not.toBeNull();
    expect(await tryAcquireRunLease(getRedis(), "run_lease_a", 1_000, () => undefined)).toBeNull();
    await first?.release();
    const again = await tryAcquireRunLease(getRedis(), "run_lease_a", 1_000, () => undefined);
    expect(again).not.toBeNull();
    await again?.release();
  });

  it("outlives its TTL while renewed, and expires on its own when its holder is gone", async () => {
    const held = await tryAcquireRunLease(getRedis(), "run_lease_b", 300, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await tryAcquireRunLease(getRedis(), "run_lease_b", 300, () => undefined)).toBeNull();
    await held?.release();

    // A holder that died: the key was set but nobody renews it.
    await getRedis().set(`${getEnv().QUEUE_PREFIX}:run-lease:run_lease_c`, "dead-worker", "PX", 300);
    expect(await tryAcquireRunLease(getRedis(), "run_lease_c", 300, () => undefined)).toBeNull();
    await waitUntil(async () => (await getRedis().exists(`${getEnv().QUEUE_PREFIX}:run-lease:run_lease_c`)) === 0, "the lease to expire");
    const taken = await tryAcquireRunLease(getRedis(), "run_lease_c", 300, () => undefined);
    expect(taken).not.toBeNull();
    await taken?.release();
  });

  it("tells its holder when another took it, and release leaves the other's lease alone", async () => {
    let lost = false;
    const held = await tryAcquireRunLease(getRedis(), "run_lease_d", 300, () => (lost = true));
    const key = `${getEnv().QUEUE_PREFIX}:run-lease:run_lease_d`;
    await getRedis().set(key, "someone-else", "PX", 5_000);
    await waitUntil(() => lost, "the holder to learn it lost the lease", 2_000);
    await held?.release();
    expect(await getRedis().get(key)).toBe("someone-else");
    await getRedis().del(key);
  });
});
