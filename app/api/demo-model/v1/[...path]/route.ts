import { timingSafeEqual } from "node:crypto";
import { bearerToken } from "@/server/auth/request";
import { jsonError } from "@/server/http/rest";
import { handleDemoModelRequest } from "@/server/llm/demo-model";
import { demoModelKey } from "@/server/llm/providers";

export const dynamic = "force-dynamic";

/**
 * The built-in demo model, for the app's own worker only (its key derives from the master key).
 * The OpenAI wire sends the key as a Bearer token, the Anthropic wire as `x-api-key`.
 */
function authorized(request: Request): boolean {
  const given = Buffer.from(bearerToken(request.headers) ?? request.headers.get("x-api-key") ?? "");
  const expected = Buffer.from(demoModelKey());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function handle(request: Request): Promise<Response> {
  if (!authorized(request)) return jsonError(401, "unauthorized", "The demo model answers only this AgentFlow's own worker");
  return handleDemoModelRequest(request);
}

export { handle as GET, handle as POST };
