/**
 * Editor benchmark (part of `npm run bench`): the workflow editor on a 1,000-node /
 * 1,200-edge workflow in Chromium, beside the floor — the same graph in a bare <ReactFlow>
 * (`/bench/bare-flow?id=…`: default nodes, no store) — measured in the same run:
 *
 *  - open (the median of three opens, each in a fresh context): from navigation start until the canvas is interactive, defined as every node in
 *    view rendered (the editor renders only what is on screen; a node counts as in view when
 *    its whole card is inside the canvas at the fitted zoom) AND a click on a node selecting
 *    it (its element gets `.selected`);
 *  - fps while dragging a node and while panning the canvas (~2 s of mouse moves each),
 *    counted as requestAnimationFrame callbacks in the page: a frame the main thread is too
 *    busy to produce is a frame missed;
 *  - renders per run event: while a run streams events onto the canvas, how many node
 *    components re-render per node status change (aim: only the node the event concerns).
 *    Counted in the production build through React's DevTools hook (installed before the
 *    page loads; React reports every commit to it), so no dev build or instrumented code.
 *
 * `benchEditor(baseUrl)` needs the built app and a worker running at baseUrl (`npm start`).
 * Run alone: `tsx scripts/bench-editor.ts http://localhost:3000`.
 */
import { chromium, type Browser, type Page } from "playwright-core";
import { decodeOutput } from "../lib/wire";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph, type GraphEdge, type GraphNode } from "../server/engine/graph";

const CHROMIUM = "/usr/bin/chromium";
const NODES = 1_000;
const EDGES = 1_200;
const ROWS = 25;
const MOVE_MS = 2_000;

/**
 * A valid graph of `nodes` nodes and `edges` edges: a trigger, columns of agents (each fed by
 * the node beside it in the column before, plus extra cross edges), outputs in the last
 * column. No cycles, everything reachable, so it can also run.
 */
export function benchGraph(nodes = NODES, edges = EDGES): Graph {
  const list: GraphNode[] = [createNode("trigger", "trigger", { x: 0, y: ((ROWS - 1) / 2) * 160 })];
  const columns = Math.ceil((nodes - 1) / ROWS);
  const at = (column: number, row: number) => `n_${column}_${row}`;
  const exists = new Set<string>(["trigger"]);
  for (let i = 0; i < nodes - 1; i++) {
    const column = Math.floor(i / ROWS) + 1;
    const row = i % ROWS;
    const node = createNode(column === columns ? "output" : "agent", at(column, row), { x: column * 320, y: row * 160 });
    node.data.label = `${column === columns ? "Output" : "Agent"} ${column}.${row}`;
    list.push(node);
    exists.add(node.id);
  }
  const out: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (source: string, target: string) => {
    const id = `e-${source}-${target}`;
    if (seen.has(id) || !exists.has(source) || !exists.has(target)) return false;
    seen.add(id);
    out.push({ id, source, target, sourceHandle: null, targetHandle: null });
    return true;
  };
  for (const node of list.slice(1)) {
    const [, column, row] = node.id.split("_").map(Number);
    if (column === undefined || row === undefined) continue;
    add(column === 1 ? "trigger" : at(column - 1, row), node.id);
  }
  // Cross edges from column c-1 to column c, spread over the graph, until the edge count is reached.
  for (let k = 0; out.length < edges && k < nodes * 4; k++) {
    const column = 2 + (k % (columns - 1));
    const row = (k * 7) % ROWS;
    add(at(column - 1, (row + 1 + (k % 3)) % ROWS), at(column, row));
  }
  return { schemaVersion: GRAPH_SCHEMA_VERSION, nodes: list, edges: out };
}

/** The bench's signed-in session (see `benchSession`), sent with every API call and page. */
let sessionCookie = "";

async function trpc<T>(baseUrl: string, procedure: string, input: unknown, kind: "query" | "mutation"): Promise<T> {
  const url = `${baseUrl}/api/trpc/${procedure}`;
  const headers = { "content-type": "application/json", cookie: sessionCookie };
  const response =
    kind === "query"
      ? await fetch(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(url, { method: "POST", headers, body: JSON.stringify(input) });
  const body = (await response.json()) as { result?: { data: unknown }; error?: unknown };
  if (!response.ok || !body.result) throw new Error(`${procedure} failed: ${JSON.stringify(body.error ?? body).slice(0, 500)}`);
  return decodeOutput(body.result.data) as T;
}

/**
 * Pages and the API answer only signed-in members: the bench makes its own account and
 * workspace (through the app's own sign-up code, against the database the app uses) and
 * removes them afterwards.
 */
async function benchSession(): Promise<{ cookie: string; cleanUp: () => Promise<void> }> {
  const { signUp } = await import("../server/auth/accounts");
  const { getDb, closeDb } = await import("../server/db");
  const { newId } = await import("../server/ids");
  const email = `bench-${Date.now()}@agentflow.test`;
  const { user, headers } = await signUp({ name: "Bench", email, password: "bench password 123" });
  const db = getDb();
  const workspaceId = newId("ws");
  await db.workspace.create({ data: { id: workspaceId, name: "Bench" } });
  await db.member.create({ data: { id: newId("mem"), workspaceId, userId: user.id, role: "owner" } });
  const cookie = headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return {
    cookie,
    cleanUp: async () => {
      await db.workspace.delete({ where: { id: workspaceId } }).catch(() => undefined);
      await db.user.delete({ where: { id: user.id } }).catch(() => undefined);
      await closeDb();
    },
  };
}

function cookiesFor(baseUrl: string) {
  return sessionCookie.split("; ").map((pair) => {
    const eq = pair.indexOf("=");
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), url: baseUrl };
  });
}

/**
 * Installed before any page script: counts rAF callbacks, and, through React's DevTools hook,
 * which flow nodes re-render in each commit. Plain JavaScript source, not a function: tsx
 * would wrap a function's inner helpers in its own `__name` calls, which do not exist in the page.
 */
const INSTRUMENT_PAGE = `(() => {
  const stats = { frames: 0, counting: false, recording: false, nodeRenders: 0, commits: 0, statusChanges: 0 };
  window.__bench = stats;
  const tick = () => {
    if (stats.counting) stats.frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);

  // React fiber tags of components that render: function, class, forwardRef, memo, simple memo.
  const COMPONENT_TAGS = new Set([0, 1, 11, 14, 15]);
  const PERFORMED_WORK = 1;
  // React Flow gives every custom node component NodeProps, which include positionAbsoluteX.
  const flowNodeId = (fiber) => {
    const props = fiber.memoizedProps;
    if (!COMPONENT_TAGS.has(fiber.tag) || typeof props !== "object" || props === null) return null;
    return "positionAbsoluteX" in props && typeof props.id === "string" ? props.id : null;
  };
  const walk = (fiber, nodeId, rendered) => {
    const id = nodeId ?? flowNodeId(fiber);
    if (id !== null && COMPONENT_TAGS.has(fiber.tag) && (fiber.alternate === null || (fiber.flags & PERFORMED_WORK) !== 0)) rendered.add(id);
    // A subtree React skipped keeps its old child fibers: nothing below it rendered.
    if (fiber.alternate !== null && fiber.alternate.child === fiber.child) return;
    for (let child = fiber.child; child; child = child.sibling) walk(child, id, rendered);
  };
  let renderers = 0;
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject: () => ++renderers,
    checkDCE: () => undefined,
    onCommitFiberUnmount: () => undefined,
    onPostCommitFiberRoot: () => undefined,
    onCommitFiberRoot: (_id, root) => {
      if (!stats.recording) return;
      stats.commits++;
      const rendered = new Set();
      walk(root.current, null, rendered);
      stats.nodeRenders += rendered.size;
    },
  };
})();`;

type Stats = { frames: number; counting: boolean; recording: boolean; nodeRenders: number; commits: number; statusChanges: number };

/**
 * In the page: whether every node whose card lies wholly inside the canvas (at the current
 * pan and zoom) has its element. It runs every frame while the page opens, so it must not
 * perturb what it measures: the canvas size comes from a ResizeObserver (reported after the
 * page's own layout) rather than getBoundingClientRect, which would force a layout in the
 * middle of the page's rendering each frame. (No named inner functions: tsx would wrap them
 * in `__name` calls that do not exist in the page.)
 */
function allInViewRendered(nodes: readonly (readonly [string, number, number])[]): boolean {
  const pane = document.querySelector(".react-flow");
  const viewport = document.querySelector<HTMLElement>(".react-flow__viewport");
  if (!pane || !viewport) return false;
  const probe = window as unknown as { __benchPane?: { observed: Element; width: number; height: number } };
  if (probe.__benchPane?.observed !== pane) {
    const size = { observed: pane, width: 0, height: 0 };
    probe.__benchPane = size;
    new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (box) Object.assign(size, { width: box.width, height: box.height });
    }).observe(pane);
    return false;
  }
  const { width, height } = probe.__benchPane;
  if (width === 0 || height === 0) return false;
  const match = /translate\(([-\d.e]+)px, ([-\d.e]+)px\) scale\(([\d.e]+)\)/.exec(viewport.style.transform);
  if (!match) return false;
  const [tx, ty, zoom] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const rendered = new Set([...document.querySelectorAll(".react-flow__node")].map((el) => el.getAttribute("data-id")));
  let inView = 0;
  for (const [id, x, y] of nodes) {
    const left = x * zoom + tx;
    const top = y * zoom + ty;
    if (left < 0 || top < 0 || left + 220 * zoom > width || top + 64 * zoom > height) continue;
    inView++;
    if (!rendered.has(id)) return false;
  }
  return inView > 0;
}

/** ms from navigation start until every node in view is rendered and a click on one selects it. */
async function measureOpen(page: Page, url: string, graph: Graph): Promise<number> {
  const positions = graph.nodes.map((node) => [node.id, node.position.x, node.position.y] as const);
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(allInViewRendered, positions, { polling: "raf", timeout: 120_000 });
  const [id] = await nodesNearCentre(page);
  // A raw mouse click at the node (not locator.click(), whose actionability checks would add
  // Playwright's own waiting to the figure).
  const { x, y } = await centreOf(page, `.react-flow__node[data-id="${id}"]`);
  await page.mouse.click(x, y);
  const at = await page.waitForFunction(
    (nodeId) => (document.querySelector(`.react-flow__node[data-id="${nodeId}"]`)?.classList.contains("selected") ? performance.now() : false),
    id,
    { polling: "raf", timeout: 30_000 },
  );
  return Number(await at.jsonValue());
}

/** Ids of the two nodes nearest the middle of the canvas (the graph is wider than the view). */
async function nodesNearCentre(page: Page): Promise<[string, string]> {
  const ids = await page.evaluate(() => {
    const pane = document.querySelector(".react-flow")?.getBoundingClientRect();
    if (!pane) return [];
    const cx = pane.left + pane.width / 2;
    const cy = pane.top + pane.height / 2;
    return [...document.querySelectorAll(".react-flow__node")]
      .map((el) => {
        const box = el.getBoundingClientRect();
        return { id: el.getAttribute("data-id") ?? "", d: Math.hypot(box.left + box.width / 2 - cx, box.top + box.height / 2 - cy) };
      })
      .sort((a, b) => a.d - b.d)
      .slice(0, 2)
      .map((entry) => entry.id);
  });
  const [first, second] = ids;
  if (!first || !second) throw new Error("no nodes on the canvas");
  return [first, second];
}

/** rAF callbacks per second while the mouse drags from `from` back and forth for ~2 s. */
async function measureDragFps(page: Page, from: { x: number; y: number }): Promise<number> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.evaluate(() => {
    const stats = (window as unknown as { __bench: Stats }).__bench;
    stats.frames = 0;
    stats.counting = true;
  });
  const started = Date.now();
  let step = 0;
  while (Date.now() - started < MOVE_MS) {
    step++;
    // A triangle wave, 160 px wide: the content keeps moving without leaving the view.
    const phase = step % 40;
    const offset = (phase < 20 ? phase : 40 - phase) * 8;
    await page.mouse.move(from.x + offset, from.y + offset / 2);
  }
  const elapsed = Date.now() - started;
  const stats = await page.evaluate(() => {
    const s = (window as unknown as { __bench: Stats }).__bench;
    s.counting = false;
    return s;
  });
  await page.mouse.up();
  return stats.frames / (elapsed / 1000);
}

async function centreOf(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** An empty spot of the pane: top-left of the canvas, inside the fitView padding. */
async function emptyPaneSpot(page: Page): Promise<{ x: number; y: number }> {
  const box = await page.locator(".react-flow").first().boundingBox();
  if (!box) throw new Error("no canvas");
  return { x: box.x + 24, y: box.y + 24 };
}

type PageFigures = { openMs: number; dragFps: number; panFps: number };

/** Opens per page; the reported open time is their median. */
const OPENS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** One more open of the page, in a context of its own. */
async function measureOpenAlone(browser: Browser, url: string, graph: Graph): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addCookies(cookiesFor(new URL(url).origin));
  await context.addInitScript(INSTRUMENT_PAGE);
  try {
    return await measureOpen(await context.newPage(), url, graph);
  } finally {
    await context.close();
  }
}

async function measurePage(browser: Browser, url: string, graph: Graph): Promise<PageFigures & { page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addCookies(cookiesFor(new URL(url).origin));
  await context.addInitScript(INSTRUMENT_PAGE);
  const page = await context.newPage();
  const openMs = await measureOpen(page, url, graph);
  // Let the first paint settle (fonts, minimap) before measuring frames.
  await page.waitForTimeout(500);
  const panFps = await measureDragFps(page, await emptyPaneSpot(page));
  await page.waitForTimeout(300);
  const [, dragged] = await nodesNearCentre(page);
  const dragFps = await measureDragFps(page, await centreOf(page, `.react-flow__node[data-id="${dragged}"]`));
  return { openMs, dragFps, panFps, page };
}

/** Node re-renders per node status change while a run streams onto the editor's canvas. */
async function measureRunRenders(page: Page, baseUrl: string, workflowId: string): Promise<{ perEvent: number; changes: number }> {
  // The drag above left an edit; the Run button saves it first, so wait until the draft is saved.
  await page.getByTestId("save-state").filter({ hasText: "Saved" }).waitFor({ timeout: 30_000 });
  // At the overview zoom, as a builder watching 1,000 nodes would: the cards are compact there.
  // At a readable zoom a running agent's card also shows its live text, re-rendered per token —
  // token deltas are not run events (the streaming bench measures them), so they stay out.
  await page.locator(".react-flow__controls-fitview").click();
  // Fit view animates: recording while the zoom still crosses into the compact cards would
  // count that one-off switch of every card in view as renders per run event.
  await page.waitForFunction(
    () => {
      const probe = window as unknown as { __benchSettle?: { transform: string; frames: number } };
      const transform = document.querySelector<HTMLElement>(".react-flow__viewport")?.style.transform ?? "";
      const settle = probe.__benchSettle?.transform === transform ? { transform, frames: (probe.__benchSettle?.frames ?? 0) + 1 } : { transform, frames: 0 };
      probe.__benchSettle = settle;
      return settle.frames >= 10;
    },
    undefined,
    { polling: "raf", timeout: 10_000 },
  );
  // Recording from before the click: the first event turns every node in view "pending" (one
  // status change and, ideally, one render each), then each event changes one node.
  await page.evaluate(() => {
    const stats = (window as unknown as { __bench: Stats }).__bench;
    stats.nodeRenders = 0;
    stats.commits = 0;
    stats.statusChanges = 0;
    stats.recording = true;
    const observer = new MutationObserver((records) => {
      for (const record of records) if (record.attributeName === "data-run-status") stats.statusChanges++;
    });
    observer.observe(document.querySelector(".react-flow") ?? document.body, { subtree: true, attributes: true, attributeFilter: ["data-run-status"] });
  });
  await page.getByRole("button", { name: "Run", exact: true }).click();
  // Run asks for the input first (prefilled): start it as a user would.
  await page.getByRole("dialog", { name: "Run workflow" }).getByRole("button", { name: "Start run" }).click();
  // Until the run ends or enough events have been seen for a fair sample, at most 30 s.
  await page
    .waitForFunction(
      () =>
        (window as unknown as { __bench: Stats }).__bench.statusChanges >= 1_000 ||
        ["succeeded", "failed", "cancelled", "rejected"].includes(document.querySelector('[data-testid="run-status"]')?.textContent ?? ""),
      undefined,
      { timeout: 30_000 },
    )
    .catch(() => undefined);
  const stats = await page.evaluate(() => {
    const s = (window as unknown as { __bench: Stats }).__bench;
    s.recording = false;
    return s;
  });
  // Stop the run: it would otherwise keep the worker busy through 1,000 nodes.
  const { runs } = await trpc<{ runs: { id: string; status: string }[] }>(baseUrl, "run.list", { workflowId, limit: 10 }, "query");
  for (const run of runs) {
    if (!["succeeded", "failed", "cancelled", "rejected"].includes(run.status)) {
      await trpc(baseUrl, "run.cancel", { runId: run.id }, "mutation").catch(() => undefined);
    }
  }
  return { perEvent: stats.statusChanges > 0 ? stats.nodeRenders / stats.statusChanges : Number.NaN, changes: stats.statusChanges };
}

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

export async function benchEditor(baseUrl: string): Promise<string[]> {
  const base = baseUrl.replace(/\/$/, "");
  const session = await benchSession();
  sessionCookie = session.cookie;
  const graph = benchGraph();
  const { id } = await trpc<{ id: string }>(base, "workflow.create", { name: `Bench ${NODES} nodes ${new Date().toISOString()}`, graph }, "mutation");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    // Floor first, then the editor, each in a fresh context (no shared cache of the page's JS).
    // One open is one sample of a noisy figure on a shared machine: each page is opened
    // OPENS times, alternating, each in a fresh context, and the median is reported.
    const bareUrl = `${base}/bench/bare-flow?id=${id}`;
    const editorUrl = `${base}/workflows/${id}`;
    const opens = { bare: [] as number[], editor: [] as number[] };
    for (let round = 1; round < OPENS; round++) {
      opens.bare.push(await measureOpenAlone(browser, bareUrl, graph));
      opens.editor.push(await measureOpenAlone(browser, editorUrl, graph));
    }
    const bare = await measurePage(browser, bareUrl, graph);
    await bare.page.context().close();
    const editor = await measurePage(browser, editorUrl, graph);
    bare.openMs = median([...opens.bare, bare.openMs]);
    editor.openMs = median([...opens.editor, editor.openMs]);
    const renders = await measureRunRenders(editor.page, base, id);
    await editor.page.context().close();

    const n = `${graph.nodes.length} nodes / ${graph.edges.length} edges`;
    return [
      `editor: open ${n}  ${fmt(editor.openMs)} ms, median of ${OPENS} (aim <= 1500; bare React Flow ${fmt(bare.openMs)} ms)`,
      `editor: drag fps  ${fmt(editor.dragFps, 1)} vs bare ${fmt(bare.dragFps, 1)}  ratio ${fmt(editor.dragFps / bare.dragFps, 2)} (aim >= 0.8)`,
      `editor: pan fps   ${fmt(editor.panFps, 1)} vs bare ${fmt(bare.panFps, 1)}  ratio ${fmt(editor.panFps / bare.panFps, 2)} (aim >= 0.8)`,
      `editor: node renders per run event  ${fmt(renders.perEvent, 2)} (aim 1: node re-renders per node status change on screen, over ${renders.changes})`,
    ];
  } finally {
    await browser.close();
    // The bench workflow (and its run) would otherwise clutter the user's list.
    await trpc(base, "workflow.delete", { id }, "mutation").catch(() => undefined);
    await session.cleanUp();
  }
}

// `tsx scripts/bench-editor.ts <baseUrl>`
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  benchEditor(process.argv[2] ?? "http://localhost:3000")
    .then((lines) => console.log(lines.join("\n")))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
