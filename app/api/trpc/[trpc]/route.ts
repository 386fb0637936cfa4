import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { getEnv } from "@/server/env";
import { PayloadTooLargeError, UserInputError } from "@/server/errors";
import { readBodyText } from "@/server/http/body";
import { isStoreOutage, STORE_OUTAGE_RETRY_AFTER_SECONDS } from "@/server/http/store-outage";
import { componentLog } from "@/server/ops/log";

const logger = componentLog("trpc");

export const dynamic = "force-dynamic";

/** The UI batches a handful of calls at most; a bigger batch is a client we did not write. */
const MAX_BATCH_SIZE = 20;

async function handler(request: Request) {
  let req = request;
  let bodyError: TRPCError | undefined;
  if (request.method === "POST") {
    // The largest thing the UI sends is a workflow graph; anything bigger is refused (413)
    // while it streams in, before tRPC parses a byte of it.
    try {
      req = new Request(request, { body: await readBodyText(request, getEnv().MAX_GRAPH_BYTES) });
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error;
      // Answered in tRPC's own error format (from createContext), so the client can show it.
      bodyError = new TRPCError({ code: error instanceof PayloadTooLargeError ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", message: error.message, cause: error });
      req = new Request(request, { body: "{}" });
    }
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: ({ req: r, resHeaders }) => {
      if (bodyError) throw bodyError;
      return createTrpcContext({ req: r, resHeaders });
    },
    maxBatchSize: MAX_BATCH_SIZE,
    // A store outage answers 503 (the error formatter in server/api/trpc.ts); say when to retry.
    responseMeta: ({ errors }) => (errors.some((error) => isStoreOutage(error.cause)) ? { headers: { "retry-after": String(STORE_OUTAGE_RETRY_AFTER_SECONDS) } } : {}),
    onError({ error, path }) {
      if (error.code !== "INTERNAL_SERVER_ERROR") return;
      // A store outage is answered 503 (server/api/trpc.ts): a warning, not a bug.
      if (isStoreOutage(error.cause)) logger.warn({ err: error.cause, path: path ?? "?" }, "store unavailable: answered 503");
      else logger.error({ err: error.cause ?? error, path: path ?? "?" }, "internal error");
    },
  });
}

export { handler as GET, handler as POST };
