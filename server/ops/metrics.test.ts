import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { boundedLabel, mergeMetrics, onlyWorkspace, withLabels, type MetricsJson } from "./metrics";

/** A registry like a worker's: one counter with a workspace label. */
async function snapshot(values: [workspace: string, count: number][]): Promise<MetricsJson> {
  const registry = new Registry();
  const counter = new Counter({ name: "test_runs_total", help: "runs", labelNames: ["workspace"], registers: [registry] });
  for (const [workspace, count] of values) counter.inc({ workspace }, count);
  return registry.getMetricsAsJSON();
}

describe("mergeMetrics", () => {
  it("keeps each worker's series apart (labelled), so one worker's reset is its own", async () => {
    const first = withLabels(await snapshot([["ws_a", 3]]), { worker: "w1" });
    const second = withLabels(await snapshot([["ws_a", 5]]), { worker: "w2" });
    const { text } = await mergeMetrics([first, second]);
    expect(text).toContain('test_runs_total{workspace="ws_a",worker="w1"} 3');
    expect(text).toContain('test_runs_total{workspace="ws_a",worker="w2"} 5');
    expect(text.match(/# TYPE test_runs_total counter/g)).toHaveLength(1);
  });

  it("shows a workspace's key only unlabelled series and its own workspace's", async () => {
    const registry = new Registry();
    new Counter({ name: "test_instance_total", help: "no tenant data", registers: [registry] }).inc(2);
    const merged = [...(await snapshot([["ws_a", 1], ["ws_b", 4]])), ...(await registry.getMetricsAsJSON())];
    const { text } = await mergeMetrics([onlyWorkspace(merged, "ws_a")]);
    expect(text).toContain('test_runs_total{workspace="ws_a"} 1');
    expect(text).not.toContain("ws_b");
    expect(text).toContain("test_instance_total 2");
  });
});

describe("boundedLabel", () => {
  it("cleans values and counts values past the cap as other", () => {
    expect(boundedLabel("tool", 'say "hi"\n')).toBe("say__hi__");
    const seen = Array.from({ length: 300 }, (_, index) => boundedLabel("tool", `tool_${index}`));
    expect(seen.filter((value) => value === "other").length).toBeGreaterThan(0);
    expect(boundedLabel("tool", `never seen ${Date.now()}`)).toBe("other");
    // A value seen before the cap keeps its name.
    expect(boundedLabel("tool", "tool_0")).toBe("tool_0");
  });
});
