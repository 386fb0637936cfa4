import { describe, expect, it } from "vitest";
import { listInputOf, listParamsFromSearch, listParamsToSearch, tagsFromText } from "./list-params";

describe("workflow list URL", () => {
  it("round-trips search, tag and sort, and drops what is not valid", () => {
    const list = listParamsFromSearch(new URLSearchParams("q=%20refund%20&tag=Billing&sort=last_run"));
    expect(list).toEqual({ q: "refund", tag: "billing", sort: "last_run" });
    expect(listParamsToSearch(list).toString()).toBe("q=refund&tag=billing&sort=last_run");
    expect(listParamsFromSearch(new URLSearchParams("sort=size&tag=a,b"))).toEqual({ q: "", tag: null, sort: "edited" });
    expect(listParamsToSearch({ q: "", tag: null, sort: "edited" }).toString()).toBe("");
    expect(listInputOf({ q: "", tag: null, sort: "name" })).toEqual({ sort: "name" });
  });

  it("reads typed tags as the server stores them", () => {
    expect(tagsFromText(" Billing, eu,, billing ")).toEqual(["billing", "eu"]);
  });
});
