import { describe, expect, it } from "vitest";
import { EMPTY_FILTERS, filtersFromSearchParams, filtersToSearchParams, hasFilters, listInputOf } from "./run-filters";

describe("the Runs page's filters in the URL", () => {
  it("round-trips every filter through the query string", () => {
    const filters = { workflowId: "wf_abc-1", versionId: "wfv_v2", statuses: ["waiting_for_human" as const, "failed" as const], trigger: "api" as const, from: "2026-11-01", to: "2026-11-30", waitingForMe: true, q: 'say "hi"' };
    const params = filtersToSearchParams(filters);
    expect(params.toString()).toBe("q=say+%22hi%22&workflow=wf_abc-1&version=wfv_v2&status=waiting_for_human%2Cfailed&trigger=api&from=2026-11-01&to=2026-11-30&waiting=1");
    // Statuses come back in the list's order, whatever order the link had.
    expect(filtersFromSearchParams(params)).toEqual({ ...filters, statuses: ["waiting_for_human", "failed"] });
    expect(filtersFromSearchParams(new URLSearchParams("status=failed,queued"))).toMatchObject({ statuses: ["queued", "failed"] });
  });

  it("drops what an edited link made invalid instead of sending it", () => {
    const filters = filtersFromSearchParams(new URLSearchParams("workflow=../x&version=a%20b&status=sleeping,failed&trigger=cron&from=2026-13-45&to=tomorrow&waiting=yes&q=%20%20"));
    expect(filters).toEqual({ ...EMPTY_FILTERS, statuses: ["failed"] });
    expect(hasFilters(EMPTY_FILTERS)).toBe(false);
    expect(hasFilters(filters)).toBe(true);
  });

  it("turns local days into instants: from the start of `from` to the start of the day after `to`", () => {
    const input = listInputOf({ ...EMPTY_FILTERS, from: "2026-11-01", to: "2026-11-30" }, 50);
    expect(input.from).toBe(new Date(2026, 10, 1).toISOString());
    expect(input.to).toBe(new Date(2026, 10, 31).toISOString());
    expect(listInputOf(EMPTY_FILTERS, 50)).toEqual({ limit: 50 });
    expect(listInputOf({ ...EMPTY_FILTERS, versionId: "wfv_1" }, 50)).toEqual({ limit: 50, versionId: "wfv_1" });
  });
});
