import { z } from "zod";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";
import {
  createMcpServer,
  createMcpServerSchema,
  deleteMcpServer,
  listMcpServers,
  mcpToolChoices,
  refreshMcpServerTools,
  updateMcpServer,
  updateMcpServerSchema,
} from "../../mcp-client/servers";

/** Changing servers is an admin's, like model providers: a server's tools run with its credential. */
const manage = workspaceProcedure("credential:manage");
const read = workspaceProcedure("workflow:read");

export const mcpServersRouter = createTrpcRouter({
  /** The workspace's servers (never an auth value: only whether one is set) and the operator's stdio commands. */
  list: read.query(({ ctx }) => listMcpServers(ctx.db, ctx.access.workspaceId)),
  /** Usable tools by server, for the agent inspector's picker. */
  toolChoices: read.query(({ ctx }) => mcpToolChoices(ctx.db, ctx.access.workspaceId)),
  /** Stdio servers (a command on the worker's host) are admins' too, and only from the operator's allowlist. */
  create: manage.input(createMcpServerSchema).mutation(({ ctx, input }) => createMcpServer(ctx.db, ctx.access, input)),
  update: manage.input(updateMcpServerSchema).mutation(({ ctx, input }) => updateMcpServer(ctx.db, ctx.access, input)),
  delete: manage.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => deleteMcpServer(ctx.db, ctx.access, input.id)),
  /** Test / refresh tools: connect, list the tools, store the snapshot; an error in plain words. */
  refresh: manage.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => refreshMcpServerTools(ctx.db, ctx.access.workspaceId, input.id)),
});
