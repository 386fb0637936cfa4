import { describe, expect, it } from "vitest";
import type { CommittedEvent } from "@/server/engine/events";
import { decisionVerb, humanOutcomeOf, outcomeHeadline, outcomeText } from "./outcome";

const responded = (
  taskId: string,
  decision: "approve" | "reject",
  seq: number,
  by?: string,
  extras: { comment?: string; editedContent?: unknown; editedArguments?: string } = {},
): CommittedEvent => ({
  type: "human_responded",
  nodeId: "review",
  taskId,
  decision,
  ...(by ? { by } : {}),
  ...extras,
  seq,
  at: `2026-01-02T03:04:0${seq}.000Z`,
});

describe("human task outcome", () => {
  it("names the decision the way the reviewer made it", () => {
    expect(decisionVerb("gate", "approve")).toBe("Approved");
    expect(decisionVerb("gate", "approve", true)).toBe("Approved with edits");
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
      reason: null,
    });
    expect(humanOutcomeOf(events, { taskId: "task_1", kind: "gate", decision: "reject" })?.by).toBe("Ada Owner");
  });

  it("says why a task was rejected and whether it was approved with edits", () => {
    const rejected = humanOutcomeOf([responded("task_1", "reject", 1, "Ada", { comment: "  Too vague  " })], {
      taskId: "task_1",
      kind: "gate",
      decision: "reject",
    });
    expect(rejected && outcomeText(rejected)).toBe("Rejected by Ada: Too vague");
    expect(rejected && outcomeHeadline(rejected)).toBe("Rejected by Ada");

    const edited = humanOutcomeOf([responded("task_1", "approve", 1, "Ada", { editedContent: "fixed" })], {
      taskId: "task_1",
      kind: "gate",
      decision: "approve",
    });
    expect(edited && outcomeText(edited)).toBe("Approved with edits by Ada");
    // An edit to nothing (an empty string) is still an edit.
    const emptied = humanOutcomeOf([responded("task_1", "approve", 1, "Ada", { editedContent: "" })], { taskId: "task_1", decision: "approve" });
    expect(emptied?.verb).toBe("Approved with edits");

    const toolEdit = humanOutcomeOf([responded("task_1", "approve", 1, "Ada", { editedArguments: "{}" })], {
      taskId: "task_1",
      kind: "tool_approval",
      decision: "approve",
    });
    expect(toolEdit?.verb).toBe("Approved with edits");
  });

  it("says when the node's timeout answered instead of a person", () => {
    const events: CommittedEvent[] = [{ type: "human_timed_out", nodeId: "review", taskId: "task_1", outcome: "reject", seq: 3, at: "2026-01-02T03:04:03.000Z" }];
    const outcome = humanOutcomeOf(events, { taskId: "task_1", kind: "gate", decision: "reject", timedOut: "reject" });
    expect(outcome).toEqual({ verb: "Timed out → reject", by: null, at: "2026-01-02T03:04:03.000Z", reason: null });
    expect(outcome && outcomeText(outcome)).toBe("Timed out → reject");
    // Without the events, the state's record is enough to say so.
    expect(humanOutcomeOf([], { taskId: "task_1", decision: "reject", timedOut: "timeout" })?.verb).toBe("Timed out → timeout branch");
  });

  it("has no outcome while the task waits, and no name for events recorded before sign-in existed", () => {
    expect(humanOutcomeOf([], { taskId: "task_1", kind: "gate" })).toBeNull();
    const old = humanOutcomeOf([responded("task_1", "approve", 1)], { taskId: "task_1", kind: "gate", decision: "approve" });
    expect(old).toEqual({ verb: "Approved", by: null, at: "2026-01-02T03:04:01.000Z", reason: null });
    expect(outcomeText(old ?? { verb: "", by: null, at: null, reason: null })).toBe("Approved");
    expect(outcomeText({ verb: "Rejected", by: "Ada Owner", at: null, reason: null })).toBe("Rejected by Ada Owner");
  });
});
