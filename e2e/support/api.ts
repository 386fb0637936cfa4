import type { APIRequestContext } from "@playwright/test";
import superjson from "superjson";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/api/root";

type Inputs = inferRouterInputs<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;

/**
 * Calls the app's real tRPC endpoint over HTTP, so specs set up their data the way the UI
 * does instead of writing to the database behind the app's back.
 */
export async function trpcMutation<R extends keyof Inputs, P extends keyof Inputs[R] & keyof Outputs[R]>(
  request: APIRequestContext,
  router: R,
  procedure: P,
  input: Inputs[R][P],
): Promise<Outputs[R][P]> {
  const response = await request.post(`/api/trpc/${String(router)}.${String(procedure)}`, {
    data: superjson.serialize(input),
  });
  const body: unknown = await response.json();
  if (!response.ok()) throw new Error(`tRPC ${String(router)}.${String(procedure)} failed: ${JSON.stringify(body)}`);
  const result = (body as { result: { data: Parameters<typeof superjson.deserialize>[0] } }).result.data;
  return superjson.deserialize(result) as Outputs[R][P];
}

export async function trpcQuery<R extends keyof Inputs, P extends keyof Inputs[R] & keyof Outputs[R]>(
  request: APIRequestContext,
  router: R,
  procedure: P,
  input: Inputs[R][P],
): Promise<Outputs[R][P]> {
  const encoded = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
  const response = await request.get(`/api/trpc/${String(router)}.${String(procedure)}?input=${encoded}`);
  const body: unknown = await response.json();
  if (!response.ok()) throw new Error(`tRPC ${String(router)}.${String(procedure)} failed: ${JSON.stringify(body)}`);
  const result = (body as { result: { data: Parameters<typeof superjson.deserialize>[0] } }).result.data;
  return superjson.deserialize(result) as Outputs[R][P];
}
