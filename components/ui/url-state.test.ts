import { describe, expect, it } from "vitest";
import { settleLanding } from "./url-state";

describe("settleLanding", () => {
  it("shows a URL the page did not ask for (Back, a shared link)", () => {
    expect(settleLanding([], "status=failed")).toEqual({ pending: [], adopt: true });
    expect(settleLanding(["status=succeeded"], "q=refund")).toEqual({ pending: [], adopt: true });
  });

  it("shows the page's own change once its last request has landed", () => {
    expect(settleLanding(["status=succeeded"], "status=succeeded")).toEqual({ pending: [], adopt: true });
  });

  it("keeps the newer choice when an earlier request lands after it was made", () => {
    // Picked "succeeded", then "waiting": the first replace lands while the second is on its way.
    const pending = ["status=succeeded", "status=waiting_for_human%2Csucceeded"];
    expect(settleLanding(pending, "status=succeeded")).toEqual({ pending: ["status=waiting_for_human%2Csucceeded"], adopt: false });
    expect(settleLanding(["status=waiting_for_human%2Csucceeded"], "status=waiting_for_human%2Csucceeded")).toEqual({ pending: [], adopt: true });
  });

  it("settles at once when only the last of several requests lands", () => {
    expect(settleLanding(["a=1", "a=1&b=2", "a=1&b=2&c=3"], "a=1&b=2&c=3")).toEqual({ pending: [], adopt: true });
  });

  it("reads a query asked for twice as its latest request (a filter turned on, off and on)", () => {
    expect(settleLanding(["status=failed", "", "status=failed"], "status=failed")).toEqual({ pending: [], adopt: true });
  });
});
