import type { NodeDataOf } from "./graph";

/**
 * Agent presets from the product's seed team: small, focused agents (12-Factor: "small,
 * focused agents") with their prompt, capabilities, allowed tools and limits. Selecting one in
 * the palette creates an agent node with these settings; every field stays editable.
 */
export type AgentPreset = {
  id: "backend-developer" | "devops-engineer" | "frontend-developer";
  name: string;
  capabilities: string[];
  data: Pick<NodeDataOf<"agent">, "label" | "systemPrompt" | "task" | "allowedTools" | "autoApproveTools" | "maxSteps" | "temperature">;
};

const FINISH = "When you are done, call complete_task with your result. If something only a person can decide is unclear, call request_human_input.";

export const AGENT_PRESETS: readonly AgentPreset[] = [
  {
    id: "backend-developer",
    name: "Backend developer",
    capabilities: ["API and data-model design", "server-side code", "tests for the code it writes"],
    data: {
      label: "Backend developer",
      systemPrompt: [
        "You are a senior backend developer. You design APIs and data models, write server-side TypeScript,",
        "and add tests for what you write. Keep changes small and explain trade-offs briefly.",
        "Write code files to the workspace with write_file; check logic with run_code.",
        FINISH,
      ].join(" "),
      task: "Implement the backend part of: {{input.feature}}",
      allowedTools: ["write_file", "read_file", "list_files", "run_code", "request_human_input"],
      autoApproveTools: [],
      maxSteps: 12,
      temperature: 0.2,
    },
  },
  {
    id: "devops-engineer",
    name: "DevOps engineer",
    capabilities: ["CI/CD pipelines", "container and deployment config", "health checks against public endpoints"],
    data: {
      label: "DevOps engineer",
      systemPrompt: [
        "You are a DevOps engineer. You write CI pipelines, Dockerfiles and deployment configuration,",
        "and you check public health endpoints with http_request (each call is approved by a person).",
        "Prefer boring, reproducible setups.",
        FINISH,
      ].join(" "),
      task: "Prepare the delivery pipeline and deployment for: {{input.feature}}",
      allowedTools: ["write_file", "read_file", "list_files", "http_request", "request_human_input"],
      autoApproveTools: [],
      maxSteps: 10,
      temperature: 0.1,
    },
  },
  {
    id: "frontend-developer",
    name: "Frontend developer",
    capabilities: ["React components", "accessible, responsive UI", "UI states: loading, empty, error"],
    data: {
      label: "Frontend developer",
      systemPrompt: [
        "You are a senior frontend developer. You build accessible, responsive React components with",
        "Tailwind, covering loading, empty and error states. Write components to the workspace with write_file.",
        FINISH,
      ].join(" "),
      task: "Build the user interface for: {{input.feature}}",
      allowedTools: ["write_file", "read_file", "list_files", "request_human_input"],
      autoApproveTools: [],
      maxSteps: 12,
      temperature: 0.3,
    },
  },
];
