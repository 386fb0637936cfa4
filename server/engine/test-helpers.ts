import { createNode, type Graph, type GraphNode } from "./graph";
import type { CommittedEvent, RunEvent } from "./events";
import { decide, type Effect } from "./decide";
import { pureEventsUntilIo } from "./settle";
import { initialRunState, type RunState } from "./state";
import { step } from "./step";

/** Builds graphs in tests: nodes by kind, edges as [source, target, sourceHandle?]. */
export function buildGraph(
  nodes: Array<[id: string, kind: GraphNode["type"], data?: Record<string, unknown>]>,
  edges: Array<[source: string, target: string, handle?: string]>,
): Graph {
  return {
    schemaVersion: 1,
    nodes: nodes.map(([id, kind, data], index) => {
      const node = createNode(kind, id, { x: index * 200, y: 0 });
      return { ...node, data: { ...node.data, ...data } } as GraphNode;
    }),
    edges: edges.map(([source, target, handle]) => ({
      id: `${source}->${target}${handle ? `:${handle}` : ""}`,
      source,
      target,
      sourceHandle: handle ?? null,
      targetHandle: null,
    })),
  };
}

/** An in-memory event log: what the worker does, minus Postgres. */
export class TestRun {
  state: RunState = initialRunState();
  log: CommittedEvent[] = [];
  constructor(readonly graph: Graph) {}

  apply(...events: RunEvent[]): RunState {
    for (const event of events) {
      const committed = { ...event, seq: this.state.lastSeq + 1, at: `2026-01-01T00:00:${String(this.log.length % 60).padStart(2, "0")}.000Z` } as CommittedEvent;
      this.log.push(committed);
      this.state = step(this.state, committed);
    }
    return this.state;
  }

  decide(): Effect[] {
    return decide(this.graph, this.state);
  }

  /**
   * Applies every pure (`emit`) effect until the run needs I/O or is done, with the worker's
   * own `pureEventsUntilIo`; returns the I/O effects.
   */
  settle(): Effect[] {
    for (let guard = 0; guard < 1000; guard += 1) {
      const { events } = pureEventsUntilIo(this.graph, this.state, this.decide(), 200);
      if (events.length === 0) return this.decide();
      this.apply(...events);
    }
    throw new Error("settle did not converge");
  }
}

/**
 * A trip booking as a saga: book a flight, book a hotel, then charge; each booking has a
 * compensation that cancels it by the id its booking answered. `urls` says where each call goes.
 */
export function tripSaga(urls: { api: string; charge: string; cancelHotel?: string }): Graph {
  const call = (url: string, method: string) => ({ tool: "http_request", approval: "never", arguments: JSON.stringify({ url, method }) });
  return buildGraph(
    [
      ["trigger", "trigger", { sampleInput: "{}" }],
      ["book_flight", "tool", { label: "Book flight", ...call(`${urls.api}/flights`, "POST") }],
      ["book_hotel", "tool", { label: "Book hotel", ...call(`${urls.api}/hotels`, "POST") }],
      ["charge", "tool", { label: "Charge card", ...call(urls.charge, "POST") }],
      ["cancel_flight", "tool", { label: "Cancel flight", ...call(`${urls.api}/flights/{{previous.body}}`, "DELETE") }],
      ["cancel_hotel", "tool", { label: "Cancel hotel", ...call(urls.cancelHotel ?? `${urls.api}/hotels/{{previous.body}}`, "DELETE") }],
      ["out", "output"],
    ],
    [
      ["trigger", "book_flight"],
      ["book_flight", "book_hotel"],
      ["book_hotel", "charge"],
      ["charge", "out"],
      ["book_flight", "cancel_flight", "compensate"],
      ["book_hotel", "cancel_hotel", "compensate"],
    ],
  );
}
