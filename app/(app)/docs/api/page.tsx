import type { Metadata } from "next";
import { ApiReference } from "@/components/api-docs/api-reference";
import { getEnv } from "@/server/env";
import { getOpenApiDocument } from "@/server/http/openapi";

export const metadata: Metadata = { title: "API reference · AgentFlow" };
export const dynamic = "force-dynamic";

/** The REST API's reference, rendered from the same OpenAPI document /api/v1/openapi.json serves (signed-in: the (app) layout checks the session). */
export default function ApiReferencePage() {
  return <ApiReference document={getOpenApiDocument(getEnv().APP_URL)} />;
}
