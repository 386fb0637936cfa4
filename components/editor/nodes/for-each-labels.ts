import type { NodeDataOf } from "@/server/engine/graph";

type OnError = NodeDataOf<"for_each">["onError"];

/** What a failed item does, as the inspector offers it. */
export const ON_ERROR_LABELS: Record<OnError, string> = {
  fail: "Fail the node",
  skip: "Skip the item",
  collect: "Collect the error",
};

/** The same, short enough for the card's second line. */
export const ON_ERROR_SHORT: Record<OnError, string> = {
  fail: "fail on error",
  skip: "skip failed",
  collect: "collect errors",
};

export const ON_ERROR_HINTS: Record<OnError, string> = {
  fail: "The first failed item fails the for-each, and with it the run.",
  skip: "A failed item is left out of the results; the others go on.",
  collect: "A failed item's result is { error }, in its place in the list; the others go on.",
};
