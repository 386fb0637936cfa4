import { describe, expect, it } from "vitest";
import { buildGraph, TestRun, tripSaga } from "./test-helpers";
import { validateGraph } from "./validate";
import { replay } from "./state";
import { step } from "./step";
import type { Effect } from "./decide";
import type { RunEvent } from "./events";

/** Book a flight, book a hotel, charge; each booking is cancelled by the id it answered (tests/support/saga-graph.ts). */
const trip = () => tripSaga({ api: "https://api.example.com", charge: "https://api.example.com/charge" });

const toolCalls = (effects: Effect[]) => effects.flatMap((effect) => (effect.kind === "call_tool" ? [effect] : []));

/** An http_request result: the booking API answers a booking's id as its body. */
function result(nodeId: string, ok: boolean, body: string): RunEvent {
  return ok
    ? { type: "tool_result", nodeId, toolCallId: null, name: "http_request", ok, content: body, data: { status: 200, body } }
    : { type: "tool_result", nodeId, toolCallId: null, name: "http_request", ok, content: body };
}

/** Books both, then the charge fails. */
function failedAtCharge() {
  const run = new TestRun(trip());
  run.apply({ type: "run_started", input: {} });
  run.settle();
  run.apply(result("book_flight", true, "F1"));
  run.settle();
  run.apply(result("book_hotel", true, "H7"));
  run.settle();
  run.apply(result("charge", false, "card declined"));
  return { run, effects: run.settle() };
}

describe("saga compensation", () => {
  it("is a valid graph: compensations are reached only through compensate edges", () => {
    expect(validateGraph(trip())).toEqual([]);
  });

  it("never runs a compensation when the run succeeds", () => {
    const run = new TestRun(trip());
    run.apply({ type: "run_started", input: {} });
    run.settle();
    for (const id of ["book_flight", "book_hotel", "charge"]) {
      run.apply(result(id, true, id));
      run.settle();
    }
    expect(run.state.status).toBe("succeeded");
    expect(run.state.nodes.cancel_flight).toBeUndefined();
    expect(run.state.compensation).toBeUndefined();
  });

  it("undoes the completed steps latest first, each with the output of the step it undoes, and ends compensated", () => {
    const { run, effects } = failedAtCharge();
    expect(run.state.compensation?.nodeIds).toEqual(["cancel_hotel", "cancel_flight"]);
    expect(run.state.status).toBe("running");
    const [cancelHotel, ...others] = toolCalls(effects);
    expect(others).toEqual([]);
    expect(cancelHotel).toMatchObject({ nodeId: "cancel_hotel", args: { url: "https://api.example.com/hotels/H7", method: "DELETE" } });
    run.apply(result("cancel_hotel", true, "deleted"));
    const [cancelFlight] = toolCalls(run.settle());
    expect(cancelFlight).toMatchObject({ nodeId: "cancel_flight", args: { url: "https://api.example.com/flights/F1" } });
    run.apply(result("cancel_flight", true, "deleted"));
    run.settle();
    expect(run.state.status).toBe("compensated");
    expect(run.state.error).toContain("charge");
    expect(replay(run.log, step)).toEqual(run.state);
  });

  it("ends compensation_failed at the first compensation that fails, naming what is left undone", () => {
    const { run } = failedAtCharge();
    run.apply(result("cancel_hotel", false, "hotel API down"));
    run.settle();
    expect(run.state.status).toBe("compensation_failed");
    expect(run.state.error).toContain('the compensation Tool "Cancel hotel" failed');
    expect(run.state.error).toContain('not compensated: Tool "Book flight"');
    // The flight's compensation never ran.
    expect(run.state.nodes.cancel_flight).toBeUndefined();
  });

  it("compensates only the steps that completed", () => {
    const run = new TestRun(trip());
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(result("book_flight", true, "F1"));
    run.settle();
    run.apply(result("book_hotel", false, "no rooms"));
    const [only, ...rest] = toolCalls(run.settle());
    expect(rest).toEqual([]);
    expect(only?.nodeId).toBe("cancel_flight");
    expect(run.state.compensation?.nodeIds).toEqual(["cancel_flight"]);
  });

  it("a failure with nothing to undo ends failed, as before", () => {
    const run = new TestRun(trip());
    run.apply({ type: "run_started", input: {} });
    run.settle();
    run.apply(result("book_flight", false, "sold out"));
    run.settle();
    expect(run.state.status).toBe("failed");
  });
});

describe("compensation validation", () => {
  it("refuses a compensate edge into a loop, a compensation in the flow, a step after one, and two per step", () => {
    const graph = buildGraph(
      [
        ["trigger", "trigger"],
        ["book", "tool", { tool: "http_request", arguments: '{"url": "https://x.example"}' }],
        ["again", "loop"],
        ["undo", "tool", { tool: "http_request", arguments: '{"url": "https://x.example"}' }],
        ["out", "output"],
      ],
      [
        ["trigger", "book"],
        ["book", "out"],
        ["book", "again", "compensate"],
        ["book", "undo", "compensate"],
        ["undo", "out"],
      ],
    );
    const messages = validateGraph(graph).filter((p) => p.code === "compensation").map((p) => p.message);
    expect(messages.some((m) => m.includes("a compensation must be a Tool, Agent, Sub-workflow or Human approval step"))).toBe(true);
    expect(messages.some((m) => m.includes("more than one compensation"))).toBe(true);
    expect(messages.some((m) => m.includes("nothing can follow a compensation"))).toBe(true);
    const inFlow = buildGraph(
      [["trigger", "trigger"], ["book", "agent"], ["undo", "agent"], ["out", "output"]],
      [["trigger", "book"], ["book", "undo", "compensate"], ["trigger", "undo"], ["book", "out"]],
    );
    expect(validateGraph(inFlow).find((p) => p.code === "compensation")?.message).toContain("nothing else can lead into it");
  });

  it("offers the compensate handle only on steps with side effects", () => {
    const graph = buildGraph([["trigger", "trigger"], ["check", "condition", { expression: "true" }], ["undo", "agent"]], [["trigger", "check"], ["check", "undo", "compensate"]]);
    expect(validateGraph(graph).map((p) => p.code)).toContain("bad_handle");
  });
});
