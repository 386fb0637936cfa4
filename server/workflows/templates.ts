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
};

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
];

export function findTemplate(id: string): WorkflowTemplate | undefined {
  return WORKFLOW_TEMPLATES.find((template) => template.id === id);
}
