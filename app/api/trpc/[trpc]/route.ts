import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { getEnv } from "@/server/env";
import { PayloadTooLargeError, UserInputError } from "@/server/errors";
import { readBodyText } from "@/server/http/body";

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
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path ?? "?"}:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
