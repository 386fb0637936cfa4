import { humanRouter } from "./routers/human";
import { runRouter } from "./routers/run";
import { workflowRouter } from "./routers/workflow";
import { createTrpcRouter } from "./trpc";

export const appRouter = createTrpcRouter({
  workflow: workflowRouter,
  run: runRouter,
  human: humanRouter,
});

export type AppRouter = typeof appRouter;
