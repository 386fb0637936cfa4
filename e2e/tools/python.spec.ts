import { expect, test } from "@playwright/test";
import { agentGraph } from "../support/graphs";
import { node, openWorkflow, startRun } from "../support/editor";

/**
 * The run_code tool's Python (Pyodide, in the worker's sandbox thread) through the whole
 * product: the agent (demo model) calls it, the worker runs the program, and its printed
 * result is in the agent's thread on the canvas — and a program that fails is reported as
 * the tool's error, with the run going on.
 */
function pythonGraph(code: string) {
  return agentGraph({ task: `Compute it in Python.\n#demo:call:run_code ${JSON.stringify({ language: "python", code })}`, allowedTools: ["run_code"] });
}

test.describe("Python in run_code", () => {
  test("an agent's Python program runs in the sandbox and its result is in the thread", async ({ page, request }) => {
    const code = ["import statistics, sys", "values = [3, 1, 4, 1, 5, 9, 2, 6]", 'print(f"python {sys.version_info.major}: median={statistics.median(values)} sum={sum(values)}")'].join("\n");
    await openWorkflow(page, request, "python tool", pythonGraph(code));
    await startRun(page);
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
    await node(page, "agent_1").click();
    const thread = page.getByText("python 3: median=3.5 sum=31");
    await expect(thread.first()).toBeVisible();
    await thread.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: "/tmp/shots/python-result.png" });
  });

  test("a Python error is the tool's error, told to the agent; the run goes on", async ({ page, request }) => {
    await openWorkflow(page, request, "python error", pythonGraph("import numpy_that_is_not_there"));
    await startRun(page);
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
    await node(page, "agent_1").click();
    await expect(page.getByText(/ModuleNotFoundError: No module named 'numpy_that_is_not_there'/).first()).toBeVisible();
  });
});
