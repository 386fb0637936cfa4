import { createNode, GRAPH_SCHEMA_VERSION, type Graph, type GraphNode, type NodeKind } from "../engine/graph";
import { AGENT_PRESETS, type AgentPreset } from "../engine/presets";

/**
 * The template gallery. Each template is a valid graph that runs end to end on the demo model
 * (a test proves it). Pure data: no I/O.
 */

export type WorkflowTemplate = {
  id: string;
  name: string;
  description: string;
  graph: Graph;
  /**
   * Workflows this one calls (sub-workflow nodes), made and published with it. A node that
   * calls one names it as `companion:<key>`; the real id is put in when they are made.
   */
  companions?: { key: string; name: string; graph: Graph }[];
};

/** How a template's sub-workflow node names a companion before it exists. */
export const COMPANION_PREFIX = "companion:";

type NodeSpec = [id: string, kind: NodeKind, x: number, y: number, data?: Record<string, unknown>];
type EdgeSpec = [source: string, target: string, handle?: string];

function build(sampleInput: Record<string, unknown>, nodes: NodeSpec[], edges: EdgeSpec[]): Graph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: nodes.map(([id, kind, x, y, data]) => {
      const node = createNode(kind, id, { x, y });
      const extra = kind === "trigger" ? { sampleInput: JSON.stringify(sampleInput, null, 2), ...data } : data;
      return { ...node, data: { ...node.data, ...extra } } as GraphNode;
    }),
    edges: edges.map(([source, target, handle]) => ({
      id: `e-${source}-${handle ?? "out"}-${target}`,
      source,
      target,
      sourceHandle: handle ?? null,
      targetHandle: null,
    })),
  };
}

function preset(id: AgentPreset["id"]): Record<string, unknown> {
  const found = AGENT_PRESETS.find((p) => p.id === id);
  return found ? { ...found.data } : {};
}

const agent = (label: string, task: string, systemPrompt = `You are the ${label.toLowerCase()}. Be concise.`) => ({
  label,
  task,
  systemPrompt,
});

/** The saga template's carrier booking: a real step that fails for big orders, so its undo steps can be seen. */
const SHIPPING_CODE = 'if (input.quantity > 5) throw new Error("the carrier takes at most 5 items per order"); return "pickup booked for " + input.quantity + " items";';

export const WORKFLOW_TEMPLATES: readonly WorkflowTemplate[] = [
  {
    id: "dev-team",
    name: "Development team",
    description: "Backend and frontend developers work in parallel, a DevOps engineer prepares delivery, a person approves the release.",
    graph: build(
      { feature: "CSV export of invoices" },
      [
        ["trigger", "trigger", 0, 200],
        ["split", "parallel", 260, 200],
        ["backend", "agent", 520, 80, preset("backend-developer")],
        ["frontend", "agent", 520, 320, preset("frontend-developer")],
        ["merge", "join", 800, 200],
        ["devops", "agent", 1060, 200, { ...preset("devops-engineer"), task: "Prepare delivery for {{input.feature}} given this work:\n{{previous}}" }],
        ["approval", "human", 1340, 200, { label: "Release approval", message: "Ship this feature?" }],
        ["release", "output", 1620, 120, { label: "Released" }],
        ["rework", "output", 1620, 300, { label: "Sent back", template: "Release rejected for {{input.feature}}" }],
      ],
      [["trigger", "split"], ["split", "backend"], ["split", "frontend"], ["backend", "merge"], ["frontend", "merge"], ["merge", "devops"], ["devops", "approval"], ["approval", "release", "approve"], ["approval", "rework", "reject"]],
    ),
  },
  {
    id: "sequential-pipeline",
    name: "Sequential pipeline",
    description: "Research, write, then edit: each agent works on the previous one's output.",
    graph: build(
      { topic: "why durable workflows matter" },
      [
        ["trigger", "trigger", 0, 150],
        ["research", "agent", 280, 150, agent("Researcher", "List the key facts about: {{input.topic}}")],
        ["write", "agent", 560, 150, agent("Writer", "Write a short article from these notes:\n{{previous}}")],
        ["edit", "agent", 840, 150, agent("Editor", "Tighten this draft:\n{{previous}}")],
        ["out", "output", 1120, 150, { label: "Article" }],
      ],
      [["trigger", "research"], ["research", "write"], ["write", "edit"], ["edit", "out"]],
    ),
  },
  {
    id: "parallel-fan-out",
    name: "Parallel fan-out / fan-in",
    description: "Three analysts look at a proposal at the same time; a summariser merges their views.",
    graph: build(
      { proposal: "move the billing service to a managed Postgres" },
      [
        ["trigger", "trigger", 0, 200],
        ["fan", "parallel", 260, 200],
        ["pros", "agent", 520, 60, agent("Advocate", "Give the strongest arguments for: {{input.proposal}}")],
        ["cons", "agent", 520, 200, agent("Critic", "Give the strongest arguments against: {{input.proposal}}")],
        ["risks", "agent", 520, 340, agent("Risk analyst", "List the risks of: {{input.proposal}}")],
        ["gather", "join", 800, 200],
        ["summary", "agent", 1060, 200, agent("Summariser", "Summarise these views into a recommendation:\n{{previous}}")],
        ["out", "output", 1340, 200, { label: "Recommendation" }],
      ],
      [["trigger", "fan"], ["fan", "pros"], ["fan", "cons"], ["fan", "risks"], ["pros", "gather"], ["cons", "gather"], ["risks", "gather"], ["gather", "summary"], ["summary", "out"]],
    ),
  },
  {
    id: "conditional-router",
    name: "Conditional router",
    description: "Routes a ticket by priority: urgent ones to an on-call agent, the rest to the standard queue.",
    graph: build(
      { priority: "high", ticket: "Checkout fails for EU customers" },
      [
        ["trigger", "trigger", 0, 200],
        ["route", "condition", 260, 200, { label: "Is it urgent?", expression: 'input.priority == "high"' }],
        ["oncall", "agent", 540, 80, agent("On-call engineer", "Triage now: {{input.ticket}}")],
        ["queue", "agent", 540, 320, agent("Support agent", "Reply and queue: {{input.ticket}}")],
        ["escalated", "output", 820, 80, { label: "Escalated" }],
        ["queued", "output", 820, 320, { label: "Queued" }],
      ],
      [["trigger", "route"], ["route", "oncall", "true"], ["route", "queue", "false"], ["oncall", "escalated"], ["queue", "queued"]],
    ),
  },
  {
    id: "llm-router",
    name: "LLM router",
    description: "A model reads each support message and picks the team for it; each team has an agent. Unclear messages go to the general desk.",
    graph: build(
      { message: "I was charged twice for my invoice this month and need a refund" },
      [
        ["trigger", "trigger", 0, 220],
        [
          "route",
          "router",
          280,
          220,
          {
            label: "Which team?",
            instructions: "You sort customer messages for a support team. Choose the team that should answer.",
            input: "{{input.message}}",
            branches: [
              { name: "billing", description: "Invoices, charges, refunds, payment methods" },
              { name: "technical", description: "Errors, bugs, crashes, something that does not work" },
              { name: "general", description: "Anything else: questions, feedback, unclear messages" },
            ],
            defaultBranch: "general",
          },
        ],
        ["billing", "agent", 580, 60, agent("Billing agent", "Answer this billing question and say what happens next: {{input.message}}")],
        ["technical", "agent", 580, 220, agent("Support engineer", "Diagnose this problem and give the first steps: {{input.message}}")],
        ["general", "agent", 580, 380, agent("General desk", "Answer briefly and helpfully: {{input.message}}")],
        ["out", "output", 880, 220, { label: "Reply" }],
      ],
      [
        ["trigger", "route"],
        ["route", "billing", "billing"],
        ["route", "technical", "technical"],
        ["route", "general", "general"],
        ["billing", "out"],
        ["technical", "out"],
        ["general", "out"],
      ],
    ),
  },
  {
    // The seeds' state machine, built from a bounded loop and a router: each round the router
    // reads what the last state produced and picks the next state; "close" ends the loop.
    id: "state-machine",
    name: "State machine: ticket lifecycle",
    description: "A ticket moves through triage → fix → verify → close; each round a router picks the next state from what the last one said, at most six rounds.",
    graph: build(
      { ticket: "The login page shows an error after the update" },
      [
        ["trigger", "trigger", 0, 260],
        ["rounds", "loop", 260, 260, { label: "Until closed (max 6)", maxIterations: 6, whileExpression: '!contains(previous, "CLOSED")' }],
        [
          "next",
          "router",
          520,
          260,
          {
            label: "Next state",
            instructions: "You move a support ticket through its lifecycle. Read what the last state reported and choose the next state.",
            input: "{{previous}}",
            branches: [
              { name: "triage", description: "A new ticket: read it and judge its severity" },
              { name: "fix", description: "Triaged and ready for the fixing stage" },
              { name: "verify", description: "Fixed and ready for verification testing" },
              { name: "close", description: "Verified and ready to be closed" },
            ],
            defaultBranch: "triage",
          },
        ],
        ["triage", "agent", 820, 40, agent("Triage", "Triage this ticket, then hand it to the fixing stage.")],
        ["fix", "agent", 820, 200, agent("Fixer", "Fix what the triage found, then send it for verification testing.")],
        ["verify", "agent", 820, 360, agent("Verifier", "Verify the fix; when it holds, it is verified and ready to close.")],
        ["close", "agent", 820, 520, agent("Closer", "Close the ticket: write CLOSED and a one-line summary.")],
        ["out", "output", 260, 470, { label: "Closed ticket" }],
      ],
      [
        ["trigger", "rounds"],
        ["rounds", "next", "body"],
        ["next", "triage", "triage"],
        ["next", "fix", "fix"],
        ["next", "verify", "verify"],
        ["next", "close", "close"],
        ["triage", "rounds"],
        ["fix", "rounds"],
        ["verify", "rounds"],
        ["close", "rounds"],
        ["rounds", "out", "done"],
      ],
    ),
  },
  {
    id: "bounded-loop",
    name: "Bounded loop",
    description: "Improves a draft until it is marked final, at most three rounds.",
    graph: build(
      { draft: "Our app is fast." },
      [
        ["trigger", "trigger", 0, 150],
        ["rounds", "loop", 260, 150, { label: "Up to 3 rounds", maxIterations: 3, whileExpression: '!contains(previous, "FINAL")' }],
        ["improve", "agent", 520, 40, agent("Improver", "Improve this text (say FINAL when it cannot get better):\n{{previous}}")],
        ["out", "output", 520, 260, { label: "Final draft" }],
      ],
      [["trigger", "rounds"], ["rounds", "improve", "body"], ["improve", "rounds"], ["rounds", "out", "done"]],
    ),
  },
  {
    id: "approval-gate",
    name: "Approval gate",
    description: "An agent drafts, a person approves or rejects; each answer has its own path.",
    graph: build(
      { request: "Refund order #4821" },
      [
        ["trigger", "trigger", 0, 150],
        ["draft", "agent", 280, 150, agent("Drafter", "Draft the action for: {{input.request}}")],
        ["gate", "human", 560, 150, { label: "Manager approval", message: "Approve this action?" }],
        ["done", "output", 840, 60, { label: "Approved" }],
        ["declined", "output", 840, 240, { label: "Declined", template: "Declined: {{input.request}}" }],
      ],
      [["trigger", "draft"], ["draft", "gate"], ["gate", "done", "approve"], ["gate", "declined", "reject"]],
    ),
  },
  {
    // Map-reduce is two nodes: the for-each maps, the agent after "done" reduces.
    id: "map-reduce",
    name: "Map-reduce: triage support tickets",
    description: "Classifies every ticket of a list (three at a time, each as a run of its own), then an agent summarises the whole batch.",
    graph: build(
      {
        tickets: [
          "I was charged twice for my March invoice",
          "The app crashes when I open settings on Android",
          "How do I export my data to CSV?",
          "Password reset email never arrives",
          "Please add dark mode",
        ],
      },
      [
        ["trigger", "trigger", 0, 200],
        ["each", "for_each", 260, 200, { label: "Each ticket", items: "input.tickets", concurrency: 3, onError: "collect" }],
        ["classify", "agent", 520, 60, agent("Classifier", "Classify support ticket #{{index}} as billing, bug, question or feature request, with its urgency:\n{{item}}")],
        ["summarise", "agent", 560, 340, agent("Summariser", "Summarise this batch of classified tickets for the support lead: counts per class and what is most urgent.\n{{previous}}")],
        ["out", "output", 840, 340, { label: "Batch summary" }],
      ],
      [["trigger", "each"], ["each", "classify", "item"], ["classify", "each"], ["each", "summarise", "done"], ["summarise", "out"]],
    ),
  },
  {
    // The seeds' pipeline: each item of a stream flows through the same stages, several items at once.
    id: "pipeline",
    name: "Pipeline: documents through extract → headline",
    description: "Every document goes through two stages, extract then headline, five documents at a time; the output lists one result per document, in order.",
    graph: build(
      {
        documents: [
          "Q3 revenue grew 12% to $4.1M, driven by the enterprise plan; churn fell to 2.1%.",
          "The new warehouse in Lyon opens in May and doubles our capacity in France.",
          "Support response time dropped from 9 to 3 hours after the chatbot launch.",
        ],
      },
      [
        ["trigger", "trigger", 0, 200],
        ["each", "for_each", 260, 200, { label: "Each document", items: "input.documents", concurrency: 5, onError: "skip" }],
        ["extract", "agent", 520, 60, agent("Extractor", "List the key facts (numbers, places, dates) of document {{index}}:\n{{item}}")],
        ["headline", "agent", 800, 60, agent("Headline writer", "Write a one-line headline from these facts:\n{{previous}}")],
        ["out", "output", 560, 340, { label: "Headlines" }],
      ],
      [["trigger", "each"], ["each", "extract", "item"], ["extract", "headline"], ["headline", "each"], ["each", "out", "done"]],
    ),
  },
  {
    // The seeds' saga: each step that changes something has a compensation; when a later step
    // fails, what was done is undone, latest first, and the run ends "compensated".
    id: "saga",
    name: "Saga: order with undo steps",
    description: "Reserves stock, charges the customer, then books the carrier. If booking fails (try a quantity above 5), the charge is refunded and the stock released, and the run ends compensated.",
    graph: build(
      { order: "3 standing desks for the Lyon office", quantity: 3 },
      [
        ["trigger", "trigger", 0, 150],
        ["reserve", "agent", 260, 150, agent("Stock clerk", "Reserve stock for this order and give the reservation number: {{input.order}}")],
        ["charge", "agent", 540, 150, agent("Payment agent", "Charge the customer for this order and give the payment reference: {{input.order}}")],
        ["ship", "tool", 820, 150, { label: "Book the carrier", tool: "run_code", arguments: JSON.stringify({ code: SHIPPING_CODE, input: { quantity: "{{input.quantity}}" } }) }],
        ["out", "output", 1100, 150, { label: "Order placed" }],
        ["release", "agent", 260, 330, agent("Release stock", "The order failed: release this stock reservation and confirm it: {{previous}}")],
        ["refund", "agent", 540, 330, agent("Refund", "The order failed: refund this payment in full and confirm it: {{previous}}")],
      ],
      [
        ["trigger", "reserve"],
        ["reserve", "charge"],
        ["charge", "ship"],
        ["ship", "out"],
        ["reserve", "release", "compensate"],
        ["charge", "refund", "compensate"],
      ],
    ),
  },
  {
    id: "sub-workflow",
    name: "Sub-workflow: article with a fact check",
    description: "A writer drafts an article, then calls the \"Fact checker\" workflow (made and published with it) as a child run and publishes its verdict.",
    graph: build(
      { topic: "Why the sky is blue" },
      [
        ["trigger", "trigger", 0, 150],
        ["write", "agent", 260, 150, agent("Writer", "Write a short article (three sentences) about: {{input.topic}}")],
        ["check", "subworkflow", 540, 150, { label: "Fact check", workflowId: `${COMPANION_PREFIX}fact-checker`, input: '{"claim": "{{previous}}"}' }],
        ["out", "output", 820, 150, { label: "Checked article" }],
      ],
      [["trigger", "write"], ["write", "check"], ["check", "out"]],
    ),
    companions: [
      {
        key: "fact-checker",
        name: "Fact checker",
        graph: build(
          { claim: "Water boils at 100 °C at sea level." },
          [
            ["trigger", "trigger", 0, 150],
            ["verify", "agent", 260, 150, agent("Fact checker", "Check every factual claim in this text; say which hold and which need a source:\n{{input.claim}}")],
            ["out", "output", 540, 150, { label: "Verdict" }],
          ],
          [["trigger", "verify"], ["verify", "out"]],
        ),
      },
    ],
  },
];

export function findTemplate(id: string): WorkflowTemplate | undefined {
  return WORKFLOW_TEMPLATES.find((template) => template.id === id);
}
