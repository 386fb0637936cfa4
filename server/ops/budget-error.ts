import { ConflictError } from "../errors";

/** Which cap refused: the workspace's, or one workflow's own. */
export type BudgetRefused = { scope: "workspace" } | { scope: "workflow"; workflowId: string };

/**
 * A run refused because a monthly budget is spent (the workspace's or the workflow's; the message
 * names which, server/ops/budgets.ts). REST answers 402
 * `budget_exceeded`, tRPC PAYMENT_REQUIRED; it is a ConflictError so that any other layer that
 * does not know it (MCP, a schedule) still answers 4xx with its message, never a 500.
 */
export class BudgetExceededError extends ConflictError {
  constructor(
    message: string,
    readonly spentUsd: number,
    readonly capUsd: number,
    readonly budget: BudgetRefused,
  ) {
    super(message);
    this.name = "BudgetExceededError";
  }
}
