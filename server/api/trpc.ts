import { initTRPC, TRPCError } from "@trpc/server";
import { wire } from "../../lib/wire";
import { ZodError } from "zod";
import { getDb, type Db } from "../db";
import { ConflictError, NotFoundError, PayloadTooLargeError, UserInputError } from "../errors";
import { BudgetExceededError } from "../ops/budget-error";
import type { WorkspaceAccess } from "../auth/access";
import { can } from "../auth/access";
import { clientIp, memberAccess, sessionUser, type SessionUser } from "../auth/request";
import { minimumRole, type Permission } from "../auth/roles";
import { assertSafeJson, MAX_GRAPH_JSON_VALUES } from "../http/json-guard";
import { isStoreOutage, STORE_OUTAGE_MESSAGE } from "../http/store-outage";

/**
 * Who asked is resolved here, once per request, from the session cookie — before any input
 * is parsed. Procedures never take a workspace id from the client: it comes from the member's
 * chosen workspace, and every query they run is scoped to it.
 */
export type TrpcContext = {
  db: Db;
  headers: Headers;
  /** Headers of the HTTP response (procedures that sign someone in set cookies here). */
  resHeaders: Headers;
  ip: string | null;
  user: SessionUser | null;
};

export async function createTrpcContext(options: { req: Request; resHeaders: Headers }): Promise<TrpcContext> {
  return {
    db: getDb(),
    headers: options.req.headers,
    resHeaders: options.resHeaders,
    ip: clientIp(options.req.headers),
    user: await sessionUser(options.req.headers),
  };
}

/**
 * Every procedure declares who may call it. The access-matrix test reads this from the
 * router, so a procedure that declares nothing (built from `t.procedure` directly) fails it.
 */
export type ProcedureAccess =
  | { kind: "public" }
  | { kind: "user" }
  | { kind: "workspace"; permission: Permission };

export type ProcedureMeta = { access: ProcedureAccess };

const t = initTRPC
  .context<TrpcContext>()
  .meta<ProcedureMeta>()
  .create({
    transformer: wire,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      // A 500 says nothing about our internals (Prisma, SQL, stack): it is logged instead.
      // Postgres or Redis unreachable (a restart): 503 "try again", not a bug's 500 (server/http/store-outage.ts).
      if (error.code === "INTERNAL_SERVER_ERROR" && isStoreOutage(cause)) {
        return {
          ...shape,
          message: STORE_OUTAGE_MESSAGE,
          data: { code: "SERVICE_UNAVAILABLE" as const, httpStatus: 503, zodIssues: null, path: null, details: null },
        };
      }
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      // An input the schema refused: "name: Name is required", not zod's JSON dump.
      const firstIssue = cause instanceof ZodError ? cause.issues[0] : undefined;
      const message = internal ? "Unexpected server error" : firstIssue ? `${firstIssue.path.join(".") || "input"}: ${firstIssue.message}` : shape.message;
      return {
        ...shape,
        message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          zodIssues: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : null,
          path: cause instanceof UserInputError ? (cause.path ?? null) : firstIssue ? firstIssue.path.join(".") : null,
          details: cause instanceof UserInputError ? (cause.details ?? null) : null,
        },
      };
    },
  });

/** Domain errors become the matching tRPC (HTTP 4xx) errors; anything else stays a 500. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof PayloadTooLargeError) throw new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: cause.message, cause });
  if (cause instanceof BudgetExceededError) throw new TRPCError({ code: "PAYMENT_REQUIRED", message: cause.message, cause });
  if (cause instanceof UserInputError) throw new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause });
  if (cause instanceof NotFoundError) throw new TRPCError({ code: "NOT_FOUND", message: cause.message, cause });
  if (cause instanceof ConflictError) throw new TRPCError({ code: "CONFLICT", message: cause.message, cause });
  return result;
});

const base = t.procedure.use(mapDomainErrors);

/**
 * Runs after the identity check and before the input schema: a NUL or lone surrogate in any
 * string, absurd nesting or size is a 400 naming the field, never a database error.
 */
const guardRawInput = t.middleware(async ({ getRawInput, next }) => {
  const raw = await getRawInput();
  // A procedure without input gets none (undefined), which is not a JSON value to check.
  if (raw !== undefined) assertSafeJson(raw, "", { maxValues: MAX_GRAPH_JSON_VALUES });
  return next();
});

export const createTrpcRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

const UNAUTHORIZED = "Sign in first";

/** Anyone (first-start setup, invite links, the sign-in page's settings). */
export const publicProcedure = base.meta({ access: { kind: "public" } }).use(guardRawInput);

/** Any signed-in user, whether or not they belong to a workspace. */
export const userProcedure = base.meta({ access: { kind: "user" } }).use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: UNAUTHORIZED });
  return next({ ctx: { user: ctx.user } });
}).use(guardRawInput);

/** A member of the current workspace whose role allows `permission`. */
export function workspaceProcedure(permission: Permission) {
  return base.meta({ access: { kind: "workspace", permission } }).use(async ({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: UNAUTHORIZED });
    const member = await memberAccess(ctx.db, ctx.user, ctx.headers);
    if (!member) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any workspace: ask an admin for an invite link" });
    if (!can(member.access, permission)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `Your role (${member.membership.role}) cannot do this: it needs ${minimumRole(permission)} or above`,
      });
    }
    return next({ ctx: { user: ctx.user, access: member.access as WorkspaceAccess & { actor: SessionUser }, member } });
  }).use(guardRawInput);
}
