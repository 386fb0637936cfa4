import { describe, expect, it } from "vitest";
import type { CommittedEvent } from "@/server/engine/events";
import { decisionVerb, humanOutcomeOf, outcomeText } from "./outcome";

const responded = (taskId: string, decision: "approve" | "reject", seq: number, by?: string): CommittedEvent => ({
  type: "human_responded",
  nodeId: "review",
  taskId,
  decision,
  ...(by ? { by } : {}),
  seq,
  at: `2026-01-02T03:04:0${seq}.000Z`,
});

describe("human task outcome", () => {
  it("names the decision the way the reviewer made it", () => {
    expect(decisionVerb("gate", "approve")).toBe("Approved");
    expect(decisionVerb("tool_approval", "approve")).toBe("Approved");
    expect(decisionVerb("question", "approve")).toBe("Answered");
    expect(decisionVerb("question", "reject")).toBe("Rejected");
    expect(decisionVerb(undefined, "reject")).toBe("Rejected");
  });

  it("reads who answered and when from that task's event, not another task's", () => {
    const events = [responded("task_1", "reject", 1, "Ada Owner"), responded("task_2", "approve", 2, "Operator Tester")];
    expect(humanOutcomeOf(events, { taskId: "task_2", kind: "gate", decision: "approve" })).toEqual({
      verb: "Approved",
      by: "Operator Tester",
      at: "2026-01-02T03:04:02.000Z",
    });
    expect(humanOutcomeOf(events, { taskId: "task_1", kind: "gate", decision: "reject" })?.by).toBe("Ada Owner");
  });

  it("has no outcome while the task waits, and no name for events recorded before sign-in existed", () => {
    expect(humanOutcomeOf([], { taskId: "task_1", kind: "gate" })).toBeNull();
    const old = humanOutcomeOf([responded("task_1", "approve", 1)], { taskId: "task_1", kind: "gate", decision: "approve" });
    expect(old).toEqual({ verb: "Approved", by: null, at: "2026-01-02T03:04:01.000Z" });
    expect(outcomeText(old ?? { verb: "", by: null, at: null })).toBe("Approved");
    expect(outcomeText({ verb: "Rejected", by: "Ada Owner", at: null })).toBe("Rejected by Ada Owner");
  });
});
