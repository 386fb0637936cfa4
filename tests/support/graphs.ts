import type { Graph } from "../../server/engine/graph";
import { buildGraph } from "../../server/engine/test-helpers";

/** trigger → agent → human approval → output (on approve): a run that waits for a person. */
export function approvalGraph(task = "Summarise {{input.topic}}"): Graph {
  return buildGraph(
    [
      ["trigger", "trigger"],
      ["writer", "agent", { task }],
      ["review", "human", { message: "Publish this?" }],
      ["output", "output"],
    ],
    [
      ["trigger", "writer"],
      ["writer", "review"],
      ["review", "output", "approve"],
    ],
  );
}

/** trigger → human approval → output (on approve): a run that waits for a person, with no model. */
export function gateOnlyGraph(): Graph {
  return buildGraph(
    [
      ["trigger", "trigger"],
      ["review", "human", { message: "Go ahead?" }],
      ["output", "output"],
    ],
    [
      ["trigger", "review"],
      ["review", "output", "approve"],
    ],
  );
}

/** trigger → output: a run that finishes at once, without a model call. */
export function outputOnlyGraph(): Graph {
  return buildGraph(
    [
      ["trigger", "trigger"],
      ["output", "output"],
    ],
    [["trigger", "output"]],
  );
}
