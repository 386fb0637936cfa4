import { describe, expect, it } from "vitest";
import { MAX_NAME_LENGTH, matchesSearch, sortWorkflows, tagsSchema, uniqueWorkflowName } from "./workflow-list";

const row = (id: string, name: string, updatedAt: string, lastRunAt: string | null) => ({
  id,
  name,
  updatedAt: new Date(updatedAt),
  lastRun: lastRunAt ? { id: `run_${id}`, status: "succeeded", createdAt: new Date(lastRunAt) } : null,
});

describe("uniqueWorkflowName", () => {
  it("keeps a free name, else counts copies from the root name", () => {
    expect(uniqueWorkflowName("Invoices", new Set(), true)).toBe("Invoices");
    expect(uniqueWorkflowName("Invoices", new Set(["invoices"]), true)).toBe("Invoices (copy)");
    expect(uniqueWorkflowName("Invoices", new Set(), false)).toBe("Invoices (copy)");
    expect(uniqueWorkflowName("Invoices", new Set(["invoices", "invoices (copy)"]), false)).toBe("Invoices (copy 2)");
    // A copy of a copy is the next number, not "(copy) (copy)".
    expect(uniqueWorkflowName("Invoices (copy)", new Set(["invoices", "invoices (copy)", "invoices (copy 2)"]), false)).toBe("Invoices (copy 3)");
    expect(uniqueWorkflowName("Invoices (Copy 7)", new Set(["invoices (copy 7)"]), true)).toBe("Invoices (copy)");
  });

  it("shortens the root so a copy of a 120-character name is still at most 120", () => {
    const long = "x".repeat(MAX_NAME_LENGTH);
    const copy = uniqueWorkflowName(long, new Set([long]), true);
    expect(copy).toHaveLength(MAX_NAME_LENGTH);
    expect(copy.endsWith(" (copy)")).toBe(true);
  });
});

describe("sortWorkflows", () => {
  const rows = [
    row("a", "Flow 10", "2026-11-03", null),
    row("b", "flow 2", "2026-11-01", "2026-11-05"),
    row("c", "Alpha", "2026-11-02", "2026-11-04"),
    row("d", "beta", "2026-11-04", null),
  ];
  it("sorts by name (case-insensitive, numbers in order), last edit, last run (never-run last)", () => {
    expect(sortWorkflows(rows, "name").map((r) => r.id)).toEqual(["c", "d", "b", "a"]);
    expect(sortWorkflows(rows, "edited").map((r) => r.id)).toEqual(["d", "a", "c", "b"]);
    expect(sortWorkflows(rows, "last_run").map((r) => r.id)).toEqual(["b", "c", "d", "a"]);
  });
});

describe("matchesSearch and tags", () => {
  it("finds by part of the name or of a tag, ignoring case", () => {
    expect(matchesSearch({ name: "Refund approvals", tags: [] }, "REFUND")).toBe(true);
    expect(matchesSearch({ name: "Refunds", tags: ["billing"] }, "bill")).toBe(true);
    expect(matchesSearch({ name: "Refunds", tags: ["billing"] }, "support")).toBe(false);
    expect(matchesSearch({ name: "Refunds", tags: [] }, "  ")).toBe(true);
  });

  it("stores tags trimmed, lower-case and once; refuses empty, long, comma'd and too many", () => {
    expect(tagsSchema.parse([" Billing ", "billing", "EU"])).toEqual(["billing", "eu"]);
    expect(tagsSchema.safeParse([""]).error?.issues[0]).toMatchObject({ path: [0], message: "A tag must not be empty" });
    expect(tagsSchema.safeParse(["x".repeat(33)]).error?.issues[0]?.message).toBe("A tag is at most 32 characters");
    expect(tagsSchema.safeParse(["a,b"]).error?.issues[0]?.message).toBe("A tag cannot contain a comma");
    expect(tagsSchema.safeParse(Array.from({ length: 11 }, (_, i) => `t${i}`)).error?.issues[0]?.message).toBe("A workflow has at most 10 tags");
  });
});
