import { z } from "zod";
import { graphSchema } from "../../engine/graph";
import { createWorkflow, deleteWorkflow, getWorkflow, listWorkflows, saveDraft } from "../../workflows/workflows";
import { createTriggerToken, revokeTriggerToken } from "../../workflows/trigger-tokens";
import { getVersion, listVersions, publishVersion } from "../../workflows/versions";
import { exportWorkflow, parseWorkflowFile } from "../../workflows/portable";
import { findTemplate, WORKFLOW_TEMPLATES } from "../../workflows/templates";
import { AGENT_PRESETS } from "../../engine/presets";
import { NotFoundError } from "../../errors";
import { createTrpcRouter, publicProcedure } from "../trpc";

const workflowName = z.string().trim().min(1, "Name is required").max(120);

export const workflowRouter = createTrpcRouter({
  list: publicProcedure.query(({ ctx }) => listWorkflows(ctx.db)),
  create: publicProcedure
    .input(z.object({ name: workflowName, graph: graphSchema.optional() }))
    .mutation(({ ctx, input }) => createWorkflow(ctx.db, input)),
  get: publicProcedure.input(z.object({ id: z.string().min(1) })).query(({ ctx, input }) => getWorkflow(ctx.db, input.id)),
  saveDraft: publicProcedure
    .input(z.object({ id: z.string().min(1), graph: graphSchema, baseRevision: z.number().int().min(0), name: workflowName.optional() }))
    .mutation(({ ctx, input }) => saveDraft(ctx.db, input)),
  templates: publicProcedure.query(() =>
    WORKFLOW_TEMPLATES.map(({ id, name, description, graph }) => ({ id, name, description, nodeCount: graph.nodes.length })),
  ),
  createFromTemplate: publicProcedure
    .input(z.object({ templateId: z.string().min(1), name: workflowName.optional() }))
    .mutation(({ ctx, input }) => {
      const template = findTemplate(input.templateId);
      if (!template) throw new NotFoundError(`Template ${input.templateId}`);
      return createWorkflow(ctx.db, { name: input.name ?? template.name, graph: template.graph });
    }),
  presets: publicProcedure.query(() => AGENT_PRESETS),
  /** Workflow JSON to download; contains no secrets. */
  export: publicProcedure.input(z.object({ id: z.string().min(1) })).query(async ({ ctx, input }) => {
    const workflow = await getWorkflow(ctx.db, input.id);
    return exportWorkflow({ name: workflow.name, description: "", graph: workflow.graph });
  }),
  /** Creates a workflow from an exported file; a bad file gets an error naming the field. */
  import: publicProcedure
    .input(z.object({ fileText: z.string().min(1).max(5_000_000) }))
    .mutation(({ ctx, input }) => {
      const file = parseWorkflowFile(input.fileText);
      return createWorkflow(ctx.db, { name: file.name, graph: file.graph });
    }),
  publish: publicProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) => publishVersion(ctx.db, input.id)),
  versions: publicProcedure.input(z.object({ id: z.string().min(1) })).query(({ ctx, input }) => listVersions(ctx.db, input.id)),
  version: publicProcedure.input(z.object({ versionId: z.string().min(1) })).query(({ ctx, input }) => getVersion(ctx.db, input.versionId)),
  /** Copies a version's graph into the draft (with the same revision check as a save). */
  restoreVersion: publicProcedure
    .input(z.object({ id: z.string().min(1), versionId: z.string().min(1), baseRevision: z.number().int().min(0) }))
    .mutation(async ({ ctx, input }) => {
      const version = await getVersion(ctx.db, input.versionId);
      if (version.workflowId !== input.id) throw new NotFoundError(`Version ${input.versionId} of workflow ${input.id}`);
      return saveDraft(ctx.db, { id: input.id, graph: version.graph, baseRevision: input.baseRevision });
    }),
  delete: publicProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) => deleteWorkflow(ctx.db, input.id)),
  createTriggerToken: publicProcedure
    .input(z.object({ workflowId: z.string().min(1) }))
    .mutation(({ ctx, input }) => createTriggerToken(ctx.db, input.workflowId)),
  revokeTriggerToken: publicProcedure
    .input(z.object({ tokenId: z.string().min(1) }))
    .mutation(({ ctx, input }) => revokeTriggerToken(ctx.db, input.tokenId)),
});
