import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { testRunScope, testWorkspace } from "./support/workspace";
import { createWorkflow } from "../server/workflows/workflows";
import { publishVersion } from "../server/workflows/versions";
import { buildGraph } from "../server/engine/test-helpers";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import { WORKFLOW_TEMPLATES } from "../server/workflows/templates";

/**
 * The router node on the real worker, Postgres, Redis and the demo model over HTTP: the model's
 * structured choice, the default branch when its answer names no branch or its call fails, and
 * the event log that says which and why.
 */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(() => harness.stop());

const routerGraph = () =>
  buildGraph(
    [
      ["trigger", "trigger"],
      [
        "route",
        "router",
        {
          input: "{{input.message}}",
          branches: [
            { name: "billing", description: "Invoices, charges, refunds" },
            { name: "technical", description: "Errors, crashes, something broken" },
            { name: "general", description: "Anything else" },
          ],
          defaultBranch: "general",
        },
      ],
      ["billing", "output", { template: "billing" }],
      ["technical", "output", { template: "technical" }],
      ["general", "output", { template: "general" }],
    ],
    [
      ["trigger", "route"],
      ["route", "billing", "billing"],
      ["route", "technical", "technical"],
      ["route", "general", "general"],
    ],
  );

async function routeOf(message: string, trigger: "manual" | "api" = "manual") {
  const { db } = harness;
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: `router ${trigger}`, graph: routerGraph() });
  if (trigger === "api") await publishVersion(db, await testWorkspace(db), id);
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: { message }, trigger });
  const run = await waitForRun(db, runId, ["succeeded", "failed"]);
  const events = await getRunEvents(db, runId);
  const chosen = events.find((event) => event.type === "route_chosen");
  return { run, events, chosen: chosen?.type === "route_chosen" ? chosen : undefined };
}

it("takes the branch the model chose, with its reason in the log, and skips the others", async () => {
  const { run, events, chosen } = await routeOf("The app crashes with an error when I open settings", "api");
  expect(run.status).toBe("succeeded");
  expect(run.output).toBe("technical");
  expect(chosen).toMatchObject({ nodeId: "route", branch: "technical", defaulted: false });
  expect(chosen?.reason).not.toBe("");
  // One model call, committed and paid like an agent's.
  expect(events.filter((event) => event.type === "llm_response")).toHaveLength(1);
  expect(run.tokens).toBeGreaterThan(0);
  const skipped = events.filter((event) => event.type === "node_skipped").map((event) => ("nodeId" in event ? event.nodeId : ""));
  expect(skipped.sort()).toEqual(["billing", "general"]);
});

it("takes the default branch, saying why, when the model's answer names no branch", async () => {
  const { run, chosen } = await routeOf('Hello\n#demo:call:choose_branch {"branch":"refunds","reason":"money"}');
  expect(run.output).toBe("general");
  expect(chosen).toMatchObject({ branch: "general", defaulted: true });
  expect(chosen?.reason).toContain('"refunds", which is not a branch');
});

it("takes the default branch when the model call fails after the client's retries; the run does not fail", async () => {
  const { run, events, chosen } = await routeOf("My invoice is wrong #demo:500:20");
  expect(run.status).toBe("succeeded");
  expect(run.output).toBe("general");
  expect(events.some((event) => event.type === "llm_error")).toBe(true);
  expect(chosen).toMatchObject({ branch: "general", defaulted: true });
  expect(chosen?.reason).toContain("the model call failed");
});

it("the state machine template walks triage → fix → verify → close on the demo model, one state per round", async () => {
  const { db } = harness;
  const template = WORKFLOW_TEMPLATES.find((candidate) => candidate.id === "state-machine")!;
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: template.name, graph: template.graph });
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: { ticket: "The login page shows an error after the update" }, trigger: "manual" });
  const run = await waitForRun(db, runId, ["succeeded", "failed"]);
  expect(run.status).toBe("succeeded");
  const states = (await getRunEvents(db, runId)).flatMap((event) => (event.type === "route_chosen" ? [event.branch] : []));
  expect(states).toEqual(["triage", "fix", "verify", "close"]);
  expect(JSON.stringify(run.output)).toContain("CLOSED");
});
