import type { APIRequestContext } from "@playwright/test";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/api/root";
import { decodeOutput } from "../../lib/wire";

type Inputs = inferRouterInputs<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;

/**
 * Calls the app's real tRPC endpoint over HTTP, so specs set up their data the way the UI
 * does instead of writing to the database behind the app's back. Input goes as plain JSON
 * and results are decoded as the browser does (lib/wire.ts).
 */
export async function trpcMutation<R extends keyof Inputs, P extends keyof Inputs[R] & keyof Outputs[R]>(
  request: APIRequestContext,
  router: R,
  procedure: P,
  input: Inputs[R][P],
): Promise<Outputs[R][P]> {
  // Like tRPC's own link: no input, no body.
  const response = await request.post(`/api/trpc/${String(router)}.${String(procedure)}`, {
    headers: { "content-type": "application/json" },
    data: input === undefined ? undefined : JSON.stringify(input),
  });
  return resultOf(response.ok(), await response.json(), `${String(router)}.${String(procedure)}`) as Outputs[R][P];
}

export async function trpcQuery<R extends keyof Inputs, P extends keyof Inputs[R] & keyof Outputs[R]>(
  request: APIRequestContext,
  router: R,
  procedure: P,
  input: Inputs[R][P],
): Promise<Outputs[R][P]> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await request.get(`/api/trpc/${String(router)}.${String(procedure)}${query}`);
  return resultOf(response.ok(), await response.json(), `${String(router)}.${String(procedure)}`) as Outputs[R][P];
}

function resultOf(ok: boolean, body: unknown, name: string): unknown {
  const envelope = body as { result?: { data?: unknown }; error?: unknown };
  if (!ok || envelope.error !== undefined) {
    const error = envelope.error === undefined ? body : decodeOutput(envelope.error);
    throw new Error(`tRPC ${name} failed: ${JSON.stringify(error)}`);
  }
  return decodeOutput(envelope.result?.data);
}

/**
 * An HTTP client with no session, as another system calling the REST API is: it proves a
 * token (not the spec's signed-in cookie) is what lets a call through. Dispose it after use.
 */
export async function systemClient(
  playwright: { request: { newContext(options: { baseURL?: string; storageState?: { cookies: []; origins: [] } }): Promise<APIRequestContext> } },
  baseURL: string | undefined,
): Promise<APIRequestContext> {
  // An explicit empty state: a new context would otherwise inherit the project's signed-in one.
  return playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
}
