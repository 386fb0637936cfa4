import { expect, test } from "@playwright/test";
import { startMcpTestServer, type McpTestServer } from "../../tests/support/mcp-test-server";
import { trpcMutation, trpcQuery } from "../support/api";
import { agentGraph } from "../support/graphs";
import { node, openWorkflow, saveState } from "../support/editor";
import { unique } from "./helpers";

/**
 * Settings → MCP servers in a real browser, against a real MCP server (the official SDK's
 * Server behind Streamable HTTP) on loopback, which the app may reach because the test
 * environment allows 127.0.0.1 (HTTP_ALLOW_PRIVATE_HOSTS). Its tools then appear in the
 * agent inspector's tool picker, grouped by server.
 */

const SECRET = "Bearer e2e-mcp-secret-value";
let mcp: McpTestServer;

test.beforeAll(async () => {
  mcp = await startMcpTestServer({ requiredAuth: SECRET });
});

test.afterEach(async ({ request }) => {
  const { servers } = await trpcQuery(request, "mcpServers", "list", undefined);
  for (const server of servers.filter((entry) => entry.name.startsWith("mcp"))) await trpcMutation(request, "mcpServers", "delete", { id: server.id });
});

test.afterAll(async () => {
  await mcp.close();
});

test.describe("Settings · MCP servers", () => {
  test("an admin adds a server by URL, tests it to list its tools, and an agent picks one in the inspector", async ({ page, request }) => {
    const name = `mcp${unique().replace(/[^a-z]/g, "")}`;
    await page.goto("/settings/mcp-servers");
    const form = page.getByTestId("mcp-server-form");
    await form.getByLabel("Name", { exact: true }).fill(name);
    await expect(form.getByLabel("Connection")).toHaveValue("http");
    await form.getByLabel("URL", { exact: true }).fill(mcp.url);
    await form.getByLabel("Auth header value (optional)").fill(SECRET);
    await form.getByLabel("Call timeout (seconds)").fill("5");
    await page.getByRole("button", { name: "Add server" }).click();
    await expect(page.getByText(`Added “${name}”`)).toBeVisible();
    const row = page.locator(`tr[data-mcp-server="${name}"]`);
    await expect(row).toContainText(mcp.url);
    await expect(row.getByText("Authorization set")).toBeVisible();
    await expect(row).toContainText("not listed yet");
    expect(await page.content()).not.toContain("e2e-mcp-secret-value");

    await row.getByRole("button", { name: `Test and refresh the tools of ${name}` }).click();
    const tools = page.getByTestId(`mcp-tools-${name}`);
    await expect(tools).toContainText("Connected — 7 tools listed.");
    await expect(row).toContainText("6 tools");
    await expect(row).toContainText("(1 refused)");
    await expect(tools.locator('li[data-tool="add"]')).toContainText("Add two numbers and return the sum.");
    await expect(tools.locator('li[data-tool="delete_records"]')).toContainText("destructive · asks before each call");
    await expect(tools.locator('li[data-tool="broken_schema"]')).toContainText('Not offered to agents: not a valid JSON Schema object: x: "banana" is not a JSON Schema type');
    expect(mcp.authHeaders).toContain(SECRET);
    await page.screenshot({ path: "/tmp/shots/mcp-servers-page.png", fullPage: true });

    const workflowId = await openWorkflow(page, request, "mcp picker", agentGraph());
    await node(page, "agent_1").click();
    const picker = page.getByTestId("mcp-tool-picker");
    const group = picker.locator(`[data-mcp-server="${name}"]`);
    await expect(group).toContainText(name);
    await expect(group).toContainText("Add two numbers and return the sum.");
    await expect(group).not.toContainText("broken_schema");
    await group.getByRole("checkbox", { name: /^add\b/ }).check();
    await expect(group).toContainText(`as ${name}__add`);
    await group.getByRole("checkbox", { name: /^delete_records\b/ }).check();
    await expect(group.getByText("Run without asking a person")).toBeVisible();
    await group.getByText(`as ${name}__add`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: "/tmp/shots/mcp-tool-picker.png" });

    // The pick is saved on the node with the tool's schema (what the run sends to the model).
    await expect(saveState(page)).toHaveText(/Saved/);
    const workflow = await trpcQuery(request, "workflow", "get", { id: workflowId });
    const agent = workflow.graph.nodes.find((candidate) => candidate.id === "agent_1");
    const picked = agent?.type === "agent" ? agent.data.mcpTools : [];
    expect(picked.map((tool) => [tool.name, tool.tool, tool.destructive])).toEqual([
      [`${name}__add`, "add", false],
      [`${name}__delete_records`, "delete_records", true],
    ]);
    expect(picked[0]?.inputSchema).toMatchObject({ type: "object", required: ["a", "b"] });

    // The server removed: the agent's picks are a problem at the node, before any run.
    const { servers } = await trpcQuery(request, "mcpServers", "list", undefined);
    const serverId = servers.find((server) => server.name === name)?.id ?? "";
    await trpcMutation(request, "mcpServers", "delete", { id: serverId });
    await page.reload();
    await expect(page.getByTestId("problems-panel")).toContainText(`Agent "Agent": the MCP server "${name}" of tool ${name}__add is not in this workspace`);
  });

  test("a URL the server cannot use is explained in plain words", async ({ page }) => {
    const name = `mcp${unique().replace(/[^a-z]/g, "")}`;
    await page.goto("/settings/mcp-servers");
    const form = page.getByTestId("mcp-server-form");
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("URL", { exact: true }).fill(mcp.url);
    await form.getByLabel("Auth header value (optional)").fill("Bearer wrong");
    await page.getByRole("button", { name: "Add server" }).click();
    const row = page.locator(`tr[data-mcp-server="${name}"]`);
    await row.getByRole("button", { name: `Test and refresh the tools of ${name}` }).click();
    await expect(page.getByTestId(`mcp-tools-${name}`).getByRole("alert")).toContainText("refused the credentials (HTTP 401)");
  });
});
