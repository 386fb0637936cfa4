import type { FastRoute } from "@/server/http/fast-routes";
import { POST } from "./route";

/**
 * The trigger as a fast route: the production web server answers it with this route's own POST,
 * ahead of Next's request handling (server/http/fast-routes.ts; registered by instrumentation.ts).
 * Ids are `[A-Za-z0-9_-]`; any other path shape goes to Next, which answers it as before.
 */
export const triggerFastRoute: FastRoute = {
  method: "POST",
  pattern: /^\/api\/v1\/workflows\/([A-Za-z0-9_-]{1,200})\/trigger$/,
  handler: (request, [workflowId = ""]) => POST(request, { params: Promise.resolve({ workflowId }) }),
};
