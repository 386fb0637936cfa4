import { expect, test, type Page } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { node, startRun } from "../support/editor";
import { approvalGraph } from "../support/graphs";

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
] as const;

const html = (page: Page) => page.locator("html");
type ThemeName = "System" | "Light" | "Dark";
/** The top bar's theme button names the current choice. */
const themeButton = (page: Page, name: ThemeName) => page.getByRole("button", { name: `Colour theme: ${name}`, exact: true });
async function chooseTheme(page: Page, name: ThemeName) {
  await page.getByRole("button", { name: /^Colour theme: / }).click();
  const menu = page.getByRole("menu", { name: "Colour theme" });
  await menu.getByRole("menuitemradio", { name }).click();
  await expect(menu).toBeHidden();
}
const shortcutsSheet = (page: Page) => page.getByRole("dialog", { name: "Keyboard shortcuts" });

/**
 * Records the <html> class at the moment the parser inserts <body>: before anything of the page
 * can be painted. If the theme class is there already, the first paint has the right theme.
 */
async function recordClassAtFirstBody(page: Page) {
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (!document.body) return;
      (window as unknown as { classAtFirstBody: string }).classAtFirstBody = document.documentElement.className;
      observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}
const classAtFirstBody = (page: Page) => page.evaluate(() => (window as unknown as { classAtFirstBody?: string }).classAtFirstBody ?? null);

/** The relative luminance (0 black … 1 white) of an element's computed colour, whatever syntax the browser reports. */
async function luminance(page: Page, selector: string, property: "backgroundColor" | "color"): Promise<number> {
  return page.evaluate(
    ({ selector, property }) => {
      const element = document.querySelector(selector);
      if (!element) throw new Error(`no ${selector}`);
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 1;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("no 2d canvas");
      context.fillStyle = getComputedStyle(element)[property];
      context.fillRect(0, 0, 1, 1);
      const [r, g, b] = [...context.getImageData(0, 0, 1, 1).data].map((channel) => {
        const value = channel / 255;
        return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    },
    { selector, property },
  );
}

test.describe("theme", () => {
  test("follows the system setting before first paint, and the toggle's choice is remembered across reloads", async ({ page }) => {
    // A refused inline script (CSP) or a hydration mismatch over the class would show here.
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await recordClassAtFirstBody(page);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto("/workflows");
    await expect(page.getByRole("heading", { name: "Workflows", exact: true })).toBeVisible();
    expect(await classAtFirstBody(page)).toContain("dark");
    await expect(html(page)).toHaveAttribute("data-theme", "system");
    await expect(themeButton(page, "System")).toBeVisible();
    // The page really is dark: dark page, light text.
    expect(await luminance(page, "body", "backgroundColor")).toBeLessThan(0.05);
    expect(await luminance(page, "body", "color")).toBeGreaterThan(0.8);

    // The first response already carries the boot script, in <head>, with this response's CSP nonce.
    const response = await page.request.get("/workflows");
    const body = await response.text();
    const nonce = /'nonce-([^']+)'/.exec(response.headers()["content-security-policy"] ?? "")?.[1];
    expect(nonce).toBeTruthy();
    const head = body.slice(0, body.indexOf("<body"));
    expect(head).toContain(`<script nonce="${nonce}">`);
    expect(head).toContain("prefers-color-scheme: dark");

    // System follows the OS live, without a reload.
    await page.emulateMedia({ colorScheme: "light" });
    await expect(html(page)).not.toHaveClass(/\bdark\b/);
    expect(await luminance(page, "body", "backgroundColor")).toBeGreaterThan(0.9);

    // Dark chosen while the system is light: applied at once and after a reload, before first paint.
    await chooseTheme(page, "Dark");
    await expect(html(page)).toHaveClass(/\bdark\b/);
    await expect(themeButton(page, "Dark")).toBeVisible();
    await page.reload();
    await expect(page.getByRole("heading", { name: "Workflows", exact: true })).toBeVisible();
    expect(await classAtFirstBody(page)).toContain("dark");
    await expect(html(page)).toHaveAttribute("data-theme", "dark");
    await themeButton(page, "Dark").click();
    await expect(page.getByRole("menuitemradio", { name: "Dark" })).toHaveAttribute("aria-checked", "true");
    await expect(page.getByRole("menuitemradio", { name: "System" })).toHaveAttribute("aria-checked", "false");
    await page.keyboard.press("Escape");
    await expect(page.getByRole("menu", { name: "Colour theme" })).toBeHidden();

    // Light chosen while the system is dark: stays light across a reload.
    await page.emulateMedia({ colorScheme: "dark" });
    await chooseTheme(page, "Light");
    await expect(html(page)).not.toHaveClass(/\bdark\b/);
    await page.reload();
    await expect(page.getByRole("heading", { name: "Workflows", exact: true })).toBeVisible();
    expect(await classAtFirstBody(page)).not.toContain("dark");
    await expect(themeButton(page, "Light")).toBeVisible();

    // Back to System: the dark OS wins again, and the stored choice is gone.
    await chooseTheme(page, "System");
    await expect(html(page)).toHaveClass(/\bdark\b/);
    expect(await page.evaluate(() => window.localStorage.getItem("agentflow.theme"))).toBeNull();
    expect(problems).toEqual([]);
  });
});

test.describe("keyboard shortcuts sheet", () => {
  test("? opens it in the editor and on other pages, never while typing; Escape closes it", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Shortcuts ${Date.now()}`, graph: approvalGraph() });
    await page.goto(`/workflows/${id}`);
    await expect(node(page, "trigger")).toBeVisible();

    await page.keyboard.press("?");
    const sheet = shortcutsSheet(page);
    await expect(sheet).toBeVisible();
    // The real shortcuts of the editor, with the key names of this platform (Linux: Ctrl).
    for (const line of ["Undo", "Redo", "Copy the selected nodes", "Paste copied nodes", "Duplicate the selected nodes", "Delete the selected nodes and edges", "Save the draft now"]) {
      await expect(sheet.getByRole("term").filter({ hasText: line })).toBeVisible();
    }
    const duplicate = sheet.locator("div").filter({ has: page.getByRole("term").filter({ hasText: "Duplicate the selected nodes" }) }).last();
    await expect(duplicate.locator("kbd")).toHaveText(["Ctrl", "D"]);
    await page.keyboard.press("Escape");
    await expect(sheet).toBeHidden();

    // Typing "?" into a field types it; the sheet stays shut.
    await node(page, "trigger").click();
    const sample = page.getByLabel("Sample input (JSON)");
    await sample.fill("");
    await sample.press("?");
    await expect(sample).toHaveValue("?");
    await expect(sheet).toBeHidden();
    // Same in anything contenteditable.
    await page.evaluate(() => {
      const editable = document.createElement("div");
      editable.contentEditable = "true";
      editable.id = "editable-probe";
      editable.textContent = "";
      document.querySelector("main, header")?.append(editable);
    });
    await page.locator("#editable-probe").press("?");
    await expect(page.locator("#editable-probe")).toHaveText("?");
    await expect(sheet).toBeHidden();

    // Elsewhere: the top bar's help button, and ? again.
    await page.goto("/runs");
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await expect(sheet).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(sheet).toBeHidden();
    await page.keyboard.press("?");
    await expect(sheet).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(sheet).toBeHidden();
  });
});

test.describe("run events and inbox count", () => {
  test("a run page names events in plain words; the Inbox link counts waiting tasks live", async ({ page, request }) => {
    const name = `Plain events ${Date.now()}`;
    const { id: workflowId } = await trpcMutation(request, "workflow", "create", { name, graph: approvalGraph() });

    // The badge is live through the workspace feed: on a failure, its requests are in the message.
    const feed: string[] = [];
    page.on("response", (response) => {
      if (response.url().includes("/api/workspace/events")) feed.push(`${new Date().toISOString()} ${response.status()}`);
    });
    page.on("requestfailed", (request) => {
      if (request.url().includes("/api/workspace/events")) feed.push(`${new Date().toISOString()} failed ${request.failure()?.errorText}`);
    });
    await page.goto("/workflows");
    const badge = page.getByRole("navigation", { name: "Main" }).getByTestId("inbox-count");
    const shown = async () => ((await badge.count()) === 0 ? 0 : Number(await badge.textContent()));
    const before = await trpcQuery(request, "human", "pendingCount", undefined);
    await expect.poll(shown).toBe(before);

    const { runId } = await trpcMutation(request, "run", "start", { workflowId, input: { topic: "plain words" } });
    await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("waiting_for_human");
    // Live: no reload.
    await expect.poll(shown, { timeout: 15_000 }).toBe(before + 1);
    await expect(page.getByRole("link", { name: new RegExp(`Inbox.*\\(${before + 1} waiting\\)`) })).toBeVisible();

    await page.goto(`/runs/${runId}`);
    const events = page.getByTestId("run-events");
    await expect(events.locator('[data-event-type="run_started"]')).toContainText("Run started");
    await expect(events.locator('[data-event-type="node_started"]').first()).toContainText("Step started");
    await expect(events.locator('[data-event-type="llm_response"]').first()).toContainText("Model replied");
    await expect(events.locator('[data-event-type="node_finished"]').first()).toContainText("Step finished");
    await expect(events.locator('[data-event-type="human_requested"]')).toContainText("Waiting for a person");
    // No raw type names as text (they stay as the hover title).
    await expect(events).not.toContainText("node_started");
    await expect(events).not.toContainText("run_started");

    const run = await trpcQuery(request, "run", "get", { runId });
    const task = run.humanTasks.find((item) => item.status === "pending");
    await trpcMutation(request, "human", "respond", { taskId: task?.id ?? "", decision: "approve" });
    await expect(events.locator('[data-event-type="human_responded"]')).toContainText("Person answered", { timeout: 30_000 });
    await expect(events.locator('[data-event-type="run_finished"]')).toContainText("Run finished", { timeout: 30_000 });
    await expect.poll(shown, { timeout: 15_000, message: `feed: ${JSON.stringify(feed)}` }).toBe(before);
  });
});

test.describe("screenshots", () => {
  test("main pages in light and dark at 1440 and 1024 px", async ({ page, request }) => {
    test.setTimeout(180_000);
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Theme shots ${Date.now()}`, graph: approvalGraph() });
    const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input: { topic: "dark mode" } });

    const pages: { name: string; path: string; ready: (page: Page) => Promise<void> }[] = [
      { name: "workflows", path: "/workflows", ready: (p) => expect(p.getByRole("heading", { name: "Workflows", exact: true })).toBeVisible() },
      {
        name: "editor-run",
        path: `/workflows/${id}`,
        ready: async (p) => {
          await expect(node(p, "review")).toBeVisible();
          await startRun(p);
          await expect(node(p, "review").locator("[data-run-status]")).toHaveAttribute("data-run-status", "waiting", { timeout: 30_000 });
        },
      },
      { name: "run", path: `/runs/${runId}`, ready: (p) => expect(p.getByTestId("run-events").locator('[data-event-type="human_requested"]')).toBeVisible() },
      { name: "settings", path: "/settings", ready: (p) => expect(p.getByRole("heading").first()).toBeVisible() },
      { name: "docs-api", path: "/docs/api", ready: (p) => expect(p.getByRole("heading").first()).toBeVisible() },
    ];
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport);
        for (const target of pages) {
          await page.goto(target.path);
          await target.ready(page);
          await expect(html(page)).toHaveClass(colorScheme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
          await page.screenshot({ path: `/tmp/shots/theme-${target.name}-${colorScheme}-${viewport.width}.png` });
        }
      }
    }
    // The sheet itself, dialogs, forms and JSON views, in both themes.
    await page.setViewportSize(VIEWPORTS[0]);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto(`/runs/${runId}`);
      await node(page, "agent_1").click();
      await expect(page.getByRole("tab", { name: "Node" })).toHaveAttribute("aria-selected", "true");
      await page.screenshot({ path: `/tmp/shots/theme-run-node-${colorScheme}-1440.png` });
      // Time travel: the banner names the event in plain words too.
      await page.getByRole("tab", { name: /Events/ }).click();
      await page.getByTestId("run-events").locator('tr[data-seq="3"]').getByRole("button", { name: "View state at #3" }).click();
      await expect(page.getByTestId("time-travel-banner")).toContainText("Step finished of trigger");
      await page.screenshot({ path: `/tmp/shots/theme-time-travel-${colorScheme}-1440.png` });
      await page.goto("/inbox");
      await expect(page.locator("article").first()).toBeVisible();
      await page.getByRole("button", { name: /^Colour theme: / }).click();
      await expect(page.getByRole("menu", { name: "Colour theme" })).toBeVisible();
      await page.screenshot({ path: `/tmp/shots/theme-menu-${colorScheme}-1440.png`, clip: { x: 0, y: 0, width: 1440, height: 200 } });
      await page.keyboard.press("Escape");
      await page.screenshot({ path: `/tmp/shots/theme-inbox-${colorScheme}-1440.png` });
      await page.goto(`/workflows/${id}`);
      await node(page, "agent_1").click();
      await page.screenshot({ path: `/tmp/shots/theme-editor-inspector-${colorScheme}-1440.png` });
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await expect(page.getByRole("dialog", { name: "Run workflow" })).toBeVisible();
      await page.screenshot({ path: `/tmp/shots/theme-run-dialog-${colorScheme}-1440.png` });
      await page.keyboard.press("Escape");
      await page.goto(`/workflows/${id}`);
      await expect(node(page, "review")).toBeVisible();
      await page.keyboard.press("?");
      await expect(shortcutsSheet(page)).toBeVisible();
      await page.screenshot({ path: `/tmp/shots/theme-shortcuts-${colorScheme}-1440.png` });
    }
  });
});
