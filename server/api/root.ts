import { accountRouter, setupRouter } from "./routers/account";
import { auditRouter } from "./routers/audit";
import { alertsRouter } from "./routers/alerts";
import { budgetsRouter } from "./routers/budgets";
import { credentialsRouter } from "./routers/credentials";
import { humanRouter } from "./routers/human";
import { callbacksRouter } from "./routers/callbacks";
import { schedulesRouter } from "./routers/schedules";
import { mcpServersRouter } from "./routers/mcp-servers";
import { notificationsRouter } from "./routers/notifications";
import { providersRouter } from "./routers/providers";
import { pricesRouter } from "./routers/prices";
import { runRouter } from "./routers/run";
import { apiKeysRouter, invitationsRouter, membersRouter } from "./routers/team";
import { workflowRouter } from "./routers/workflow";
import { createTrpcRouter } from "./trpc";

export const appRouter = createTrpcRouter({
  setup: setupRouter,
  account: accountRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  apiKeys: apiKeysRouter,
  credentials: credentialsRouter,
  audit: auditRouter,
  workflow: workflowRouter,
  run: runRouter,
  human: humanRouter,
  notifications: notificationsRouter,
  providers: providersRouter,
  prices: pricesRouter,
  schedules: schedulesRouter,
  callbacks: callbacksRouter,
  mcpServers: mcpServersRouter,
  budgets: budgetsRouter,
  alerts: alertsRouter,
});

export type AppRouter = typeof appRouter;
