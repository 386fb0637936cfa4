import { describe, expect, it } from "vitest";
import { callbackRetryDelay, CALLBACK_MAX_DELAY_MS } from "../callbacks/queue";
import { checkCron, isTimeZone, latestFireTimeAtOrBefore, nextFireTimes } from "./cron";

describe("checkCron", () => {
  it("names the field that is wrong", () => {
    expect(checkCron("0 9 * * 1-5")).toEqual({ ok: true, cron: "0 9 * * 1-5" });
    expect(checkCron("")).toMatchObject({ ok: false, message: expect.stringContaining("got 0") });
    expect(checkCron("*/0 * * * *")).toMatchObject({ ok: false, message: expect.stringMatching(/^minute field/) });
    expect(checkCron("0 9 * JANUARY *")).toMatchObject({ ok: false, message: expect.stringMatching(/^month field "JANUARY"/) });
    expect(checkCron("0 9 L * *")).toMatchObject({ ok: true });
  });

  it("refuses an expression that never fires", () => {
    expect(checkCron("0 0 31 2 *")).toMatchObject({ ok: false, message: expect.stringContaining("never fires") });
  });
});

describe("time zones and fire times", () => {
  it("knows IANA zones only", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Europe/Atlantis")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });

  it("reads the expression in the zone, across a daylight-saving change", () => {
    const from = new Date("2026-10-23T00:00:00Z"); // Paris goes back to winter time on Sunday the 25th
    expect(nextFireTimes("30 8 * * *", "Europe/Paris", from, 4).map((time) => time.toISOString())).toEqual([
      "2026-10-23T06:30:00.000Z",
      "2026-10-24T06:30:00.000Z",
      "2026-10-25T07:30:00.000Z",
      "2026-10-26T07:30:00.000Z",
    ]);
  });

  it("finds the latest slot at or before an instant", () => {
    expect(latestFireTimeAtOrBefore("*/5 * * * *", "UTC", new Date("2026-11-30T10:07:00Z"))?.toISOString()).toBe("2026-11-30T10:05:00.000Z");
    expect(latestFireTimeAtOrBefore("*/5 * * * *", "UTC", new Date("2026-11-30T10:05:00Z"))?.toISOString()).toBe("2026-11-30T10:05:00.000Z");
  });
});

describe("callback retry delays", () => {
  it("double from the base up to an hour", () => {
    expect([1, 2, 3, 4].map((attempt) => callbackRetryDelay(attempt, 10_000))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(callbackRetryDelay(30, 10_000)).toBe(CALLBACK_MAX_DELAY_MS);
  });
});
