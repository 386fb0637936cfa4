/** The REST API's answers as the CLI reads them (JSON: dates are ISO strings). */

export type WorkflowItem = {
  id: string;
  name: string;
  updatedAt: string;
  published: { version: number; publishedAt: string } | null;
  triggerUrl: string;
  lastRun: { id: string; status: string; createdAt: string } | null;
};

export type RunItem = {
  id: string;
  workflowId: string;
  workflowName: string;
  status: string;
  trigger: string;
  createdAt: string;
  durationMs: number | null;
  tokens: number;
  costUsd: number;
  unpricedCalls: number;
};

export type RunDetail = {
  runId: string;
  workflowId: string;
  status: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  steps: number;
  tokens: number;
  costUsd: number;
  pendingHumanTasks: { id: string; nodeId: string; message: string }[];
  output?: unknown;
  error?: string | null;
};

export type TaskItem = {
  id: string;
  runId: string;
  nodeId: string;
  kind: string;
  message: string;
  createdAt: string;
  dueAt: string | null;
  workflowId: string;
  workflowName: string;
};

export const TERMINAL_STATUSES = new Set(["succeeded", "failed", "cancelled", "rejected"]);
