import { expect, test } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { trpcMutation, trpcQuery } from "../support/api";
import { node } from "../support/editor";
import { pageAs, requestAs } from "../support/users";

/**
 * The credential picker: an admin saves a credential, an editor attaches it to an http_request
 * tool node by name in the inspector, and what the workflow holds — draft, export — is the
 * name, never the value. Agents get the same by checkbox ("Credentials this agent may use").
 */

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** trigger → http_request tool node "call" → output; the agent beside it has no credentials yet. */
function toolGraph(): Graph {
  const call = createNode("tool", "call", { x: 272, y: 112 });
  if (call.type === "tool") {
    call.data.tool = "http_request";
    call.data.arguments = JSON.stringify({ url: "https://api.example.com/user" }, null, 2);
  }
  const agent = createNode("agent", "helper", { x: 272, y: 320 });
  if (agent.type === "agent") agent.data.allowedTools = ["http_request"];
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [createNode("trigger", "trigger", { x: 0, y: 112 }), call, agent, createNode("output", "output", { x: 544, y: 112 })],
    edges: [
      { id: "e-trigger-call", source: "trigger", target: "call", sourceHandle: null, targetHandle: null },
      { id: "e-call-output", source: "call", target: "output", sourceHandle: null, targetHandle: null },
      { id: "e-trigger-helper", source: "trigger", target: "helper", sourceHandle: null, targetHandle: null },
      { id: "e-helper-output", source: "helper", target: "output", sourceHandle: null, targetHandle: null },
    ],
  };
}

test.describe("credentials in the editor", () => {
  test("an editor picks a credential on an http_request node and allows one to an agent; the workflow and its export hold the name, not the value", async ({
    browser,
    playwright,
    baseURL,
  }) => {
    const id = unique();
    const name = `picker_${id}`;
    const secret = `ghp_PICKER${id}SecretValue0123`;

    const admin = await requestAs(playwright, baseURL ?? "", "admin");
    await trpcMutation(admin, "credentials", "create", { name, secret: { kind: "bearer", token: secret }, allowedHosts: ["api.example.com"] });
    await admin.dispose();

    const editor = await requestAs(playwright, baseURL ?? "", "editor");
    const { id: workflowId } = await trpcMutation(editor, "workflow", "create", { name: `Picker ${id}`, graph: toolGraph() });
    const page = await pageAs(browser, "editor");
    await page.goto(`/workflows/${workflowId}`);
    await expect(node(page, "call")).toBeVisible();

    // The tool node: the picker lists the credential by name, kind and masked preview.
    await node(page, "call").click();
    const inspector = page.getByTestId("inspector");
    const picker = inspector.getByLabel("Credential", { exact: true });
    await expect(picker.locator(`option[value="${name}"]`)).toHaveText(`${name} — Bearer token Bearer ••••0123`);
    await picker.selectOption(name);
    await expect(inspector.getByLabel("Arguments (JSON)")).toHaveValue(new RegExp(`"credential": "${name}"`));
    await expect(page.getByTestId("save-state")).toHaveText("Saved");

    // The agent: closed until the builder ticks a credential.
    await node(page, "helper").click();
    const allowlist = inspector.getByTestId("agent-credentials");
    await expect(allowlist).toContainText("{{credentials.<name>}}");
    const box = allowlist.getByRole("checkbox", { name: new RegExp(`^${name}`) });
    await expect(box).not.toBeChecked();
    await box.check();
    await expect(allowlist).toContainText(`{{credentials.${name}}}`);
    await expect(page.getByTestId("save-state")).toHaveText("Saved");

    expect(await page.content()).not.toContain(secret);
    const saved = await trpcQuery(editor, "workflow", "get", { id: workflowId });
    const call = saved.graph.nodes.find((candidate) => candidate.id === "call");
    expect(call?.type === "tool" && JSON.parse(call.data.arguments)).toEqual({ url: "https://api.example.com/user", credential: name });
    const helper = saved.graph.nodes.find((candidate) => candidate.id === "helper");
    expect(helper?.type === "agent" && helper.data.credentials).toEqual([name]);

    const exported = JSON.stringify(await trpcQuery(editor, "workflow", "export", { id: workflowId }));
    expect(exported).toContain(name);
    expect(exported).not.toContain(secret);
    expect(exported).not.toContain(Buffer.from(secret).toString("base64"));

    await page.context().close();
    await editor.dispose();
  });

  test("a viewer sees the choice but cannot change it", async ({ browser, playwright, baseURL, request }) => {
    const id = unique();
    const name = `viewer_${id}`;
    const admin = await requestAs(playwright, baseURL ?? "", "admin");
    await trpcMutation(admin, "credentials", "create", { name, secret: { kind: "header", name: "X-Api-Key", value: `key-${id}-0123456789abcdef` }, allowedHosts: [] });
    await admin.dispose();
    const graph = toolGraph();
    const call = graph.nodes.find((candidate) => candidate.id === "call");
    if (call?.type === "tool") call.data.arguments = JSON.stringify({ url: "https://api.example.com/user", credential: name });
    const { id: workflowId } = await trpcMutation(request, "workflow", "create", { name: `Picker viewer ${id}`, graph });

    const page = await pageAs(browser, "viewer");
    await page.goto(`/workflows/${workflowId}`);
    await node(page, "call").click();
    const picker = page.getByTestId("inspector").getByLabel("Credential", { exact: true });
    await expect(picker).toBeDisabled();
    await expect(picker).toHaveValue(name);
    await node(page, "helper").click();
    for (const box of await page.getByTestId("agent-credentials").getByRole("checkbox").all()) await expect(box).toBeDisabled();
    await page.context().close();
  });
});
