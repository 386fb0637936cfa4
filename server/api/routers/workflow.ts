import { z } from "zod";
import { graphSchema } from "../../engine/graph";
import { createWorkflow, deleteWorkflow, findWorkflow, getWorkflow, saveDraft } from "../../workflows/workflows";
import {
  createUniquelyNamedWorkflow,
  duplicateWorkflow,
  listWorkflows,
  listWorkflowTags,
  renameWorkflow,
  setWorkflowTags,
  tagsSchema,
  workflowDeleteImpact,
  workflowListQuerySchema,
} from "../../workflows/workflow-list";
import { createTriggerToken, revokeTriggerToken } from "../../workflows/trigger-tokens";
import { deleteWebhookSecret, getWebhookSettings, pastedSecretSchema, setWebhookScheme, setWebhookSecret, webhookSchemeSchema } from "../../http/webhook-signature";
import { getVersion, listVersions, publishVersion, releaseState, VERSION_NOTE_MAX_LENGTH } from "../../workflows/versions";
import { exportWorkflow, parseWorkflowFile } from "../../workflows/portable";
import { findTemplate, WORKFLOW_TEMPLATES } from "../../workflows/templates";
import { createFromTemplate } from "../../workflows/from-template";
import { AGENT_PRESETS } from "../../engine/presets";
import { NotFoundError } from "../../errors";
import { recordAudit, recordWorkflowEdit } from "../../audit/audit";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema, revisionSchema, workflowName } from "../schemas";

const read = workspaceProcedure("workflow:read");
const edit = workspaceProcedure("workflow:edit");
const readRuns = workspaceProcedure("run:read");

export const workflowRouter = createTrpcRouter({
  /** Without input: every workflow, newest edit first (pickers use that); the list page searches, filters by tag and sorts. */
  list: read.input(workflowListQuerySchema).query(({ ctx, input }) => listWorkflows(ctx.db, ctx.access.workspaceId, input)),
  tags: read.query(({ ctx }) => listWorkflowTags(ctx.db, ctx.access.workspaceId)),
  rename: edit.input(z.object({ id: idSchema, name: workflowName })).mutation(async ({ ctx, input }) => {
    const renamed = await renameWorkflow(ctx.db, ctx.access.workspaceId, input.id, input.name);
    await recordAudit(ctx.db, ctx.access, "workflow.renamed", { kind: "workflow", id: renamed.id, name: renamed.name }, { from: renamed.previousName });
    return { id: renamed.id, name: renamed.name };
  }),
  /** A new workflow with the draft, description and tags of this one, named "<name> (copy)" (or the next free "(copy N)"). */
  duplicate: edit.input(z.object({ id: idSchema })).mutation(async ({ ctx, input }) => {
    const copy = await duplicateWorkflow(ctx.db, ctx.access.workspaceId, input.id);
    await recordAudit(ctx.db, ctx.access, "workflow.duplicated", { kind: "workflow", id: copy.id, name: copy.name }, { from: input.id, fromName: copy.sourceName });
    return { id: copy.id, name: copy.name };
  }),
  setTags: edit.input(z.object({ id: idSchema, tags: tagsSchema })).mutation(async ({ ctx, input }) => {
    const tagged = await setWorkflowTags(ctx.db, ctx.access.workspaceId, input.id, input.tags);
    await recordAudit(ctx.db, ctx.access, "workflow.tags_changed", { kind: "workflow", id: tagged.id, name: tagged.name }, { from: tagged.previousTags, to: tagged.tags });
    return { id: tagged.id, tags: tagged.tags };
  }),
  /** What a delete takes with it (runs cascade), so the confirmation can say so. */
  deleteImpact: read.input(z.object({ id: idSchema })).query(({ ctx, input }) => workflowDeleteImpact(ctx.db, ctx.access.workspaceId, input.id)),
  create: edit.input(z.object({ name: workflowName, graph: graphSchema.optional() })).mutation(async ({ ctx, input }) => {
    const created = await createWorkflow(ctx.db, ctx.access.workspaceId, input);
    await recordAudit(ctx.db, ctx.access, "workflow.created", { kind: "workflow", id: created.id, name: input.name });
    return created;
  }),
  get: read.input(z.object({ id: idSchema })).query(({ ctx, input }) => getWorkflow(ctx.db, ctx.access.workspaceId, input.id)),
  saveDraft: edit
    .input(z.object({ id: idSchema, graph: graphSchema, baseRevision: revisionSchema, name: workflowName.optional() }))
    .mutation(async ({ ctx, input }) => {
      const saved = await saveDraft(ctx.db, ctx.access.workspaceId, input);
      await recordWorkflowEdit(ctx.db, ctx.access, input.id, input.name);
      return saved;
    }),
  templates: read.query(() => WORKFLOW_TEMPLATES.map(({ id, name, description, graph }) => ({ id, name, description, nodeCount: graph.nodes.length }))),
  createFromTemplate: edit
    .input(z.object({ templateId: z.string().min(1).max(100), name: workflowName.optional() }))
    .mutation(async ({ ctx, input }) => {
      const template = findTemplate(input.templateId);
      if (!template) throw new NotFoundError(`Template ${input.templateId}`);
      const created = await createFromTemplate(ctx.db, ctx.access.workspaceId, template, input.name);
      for (const companion of created.companions) {
        await recordAudit(ctx.db, ctx.access, "workflow.created", { kind: "workflow", id: companion.id, name: companion.name }, { template: template.id, calledBy: created.id });
        await recordAudit(ctx.db, ctx.access, "workflow.published", { kind: "workflow", id: companion.id, name: companion.name }, { version: 1 });
      }
      await recordAudit(ctx.db, ctx.access, "workflow.created", { kind: "workflow", id: created.id, name: created.name }, { template: template.id });
      return { id: created.id, name: created.name };
    }),
  presets: read.query(() => AGENT_PRESETS),
  /** Workflow JSON to download; holds no secrets (credentials are referenced by name). */
  export: read.input(z.object({ id: idSchema })).query(async ({ ctx, input }) => {
    const workflow = await getWorkflow(ctx.db, ctx.access.workspaceId, input.id);
    return exportWorkflow({ name: workflow.name, description: "", graph: workflow.graph });
  }),
  /** Creates a workflow from an exported file; a bad file gets an error naming the field. */
  import: edit.input(z.object({ fileText: z.string().min(1).max(10_000_000) })).mutation(async ({ ctx, input }) => {
    const file = parseWorkflowFile(input.fileText);
    const created = await createUniquelyNamedWorkflow(ctx.db, ctx.access.workspaceId, { name: file.name, graph: file.graph, description: file.description, keepNameIfFree: true });
    await recordAudit(ctx.db, ctx.access, "workflow.imported", { kind: "workflow", id: created.id, name: created.name }, { nodes: file.graph.nodes.length });
    return created;
  }),
  /** An optional note says what changed; it is stored on the version and shown in the versions panel. */
  publish: edit
    .input(z.object({ id: idSchema, note: z.string().trim().max(VERSION_NOTE_MAX_LENGTH, `is longer than ${VERSION_NOTE_MAX_LENGTH} characters`).optional() }))
    .mutation(async ({ ctx, input }) => {
      const workflow = await findWorkflow(ctx.db, ctx.access.workspaceId, input.id);
      const published = await publishVersion(ctx.db, ctx.access.workspaceId, input.id, input.note);
      await recordAudit(ctx.db, ctx.access, "workflow.published", { kind: "workflow", id: workflow.id, name: workflow.name }, { version: published.version });
      return published;
    }),
  /** The saved draft against the latest published version (the Publish call to action) and what the API runs. */
  releaseState: read.input(z.object({ id: idSchema })).query(({ ctx, input }) => releaseState(ctx.db, ctx.access.workspaceId, input.id)),
  versions: read.input(z.object({ id: idSchema })).query(async ({ ctx, input }) => {
    await findWorkflow(ctx.db, ctx.access.workspaceId, input.id);
    return listVersions(ctx.db, ctx.access.workspaceId, input.id);
  }),
  version: read.input(z.object({ versionId: idSchema })).query(({ ctx, input }) => getVersion(ctx.db, ctx.access.workspaceId, input.versionId)),
  /** Copies a version's graph into the draft (with the same revision check as a save). */
  restoreVersion: edit
    .input(z.object({ id: idSchema, versionId: idSchema, baseRevision: revisionSchema }))
    .mutation(async ({ ctx, input }) => {
      const version = await getVersion(ctx.db, ctx.access.workspaceId, input.versionId);
      if (version.workflowId !== input.id) throw new NotFoundError(`Version ${input.versionId} of workflow ${input.id}`);
      const saved = await saveDraft(ctx.db, ctx.access.workspaceId, { id: input.id, graph: version.graph, baseRevision: input.baseRevision });
      await recordAudit(ctx.db, ctx.access, "workflow.restored", { kind: "workflow", id: input.id }, { version: version.version });
      return saved;
    }),
  delete: edit.input(z.object({ id: idSchema })).mutation(async ({ ctx, input }) => {
    const workflow = await findWorkflow(ctx.db, ctx.access.workspaceId, input.id);
    const result = await deleteWorkflow(ctx.db, ctx.access.workspaceId, input.id);
    await recordAudit(ctx.db, ctx.access, "workflow.deleted", { kind: "workflow", id: workflow.id, name: workflow.name }, { deletedRuns: result.deletedRuns });
    return result;
  }),
  /** The input of the workflow's newest run (any trigger), which the Run form starts from; null before the first run. */
  lastRunInput: readRuns.input(z.object({ workflowId: idSchema })).query(async ({ ctx, input }) => {
    const workflow = await findWorkflow(ctx.db, ctx.access.workspaceId, input.workflowId);
    const run = await ctx.db.run.findFirst({
      where: { workspaceId: ctx.access.workspaceId, workflowId: workflow.id },
      orderBy: { createdAt: "desc" },
      select: { input: true },
    });
    return run ? { input: run.input } : null;
  }),
  createTriggerToken: edit.input(z.object({ workflowId: idSchema })).mutation(({ ctx, input }) => createTriggerToken(ctx.db, ctx.access, input.workflowId)),
  revokeTriggerToken: edit.input(z.object({ tokenId: idSchema })).mutation(({ ctx, input }) => revokeTriggerToken(ctx.db, ctx.access, input.tokenId)),
  // Signed webhooks (server/http/webhook-signature.ts): managed like trigger tokens. The secret is returned on create/rotate only.
  webhookSettings: read.input(z.object({ workflowId: idSchema })).query(({ ctx, input }) => getWebhookSettings(ctx.db, ctx.access, input.workflowId)),
  createWebhookSecret: edit
    .input(z.object({ workflowId: idSchema, scheme: webhookSchemeSchema, secret: pastedSecretSchema.optional() }))
    .mutation(({ ctx, input }) => setWebhookSecret(ctx.db, ctx.access, { ...input, rotate: false })),
  rotateWebhookSecret: edit
    .input(z.object({ workflowId: idSchema, secret: pastedSecretSchema.optional() }))
    .mutation(({ ctx, input }) => setWebhookSecret(ctx.db, ctx.access, { ...input, rotate: true })),
  setWebhookScheme: edit
    .input(z.object({ workflowId: idSchema, scheme: webhookSchemeSchema }))
    .mutation(({ ctx, input }) => setWebhookScheme(ctx.db, ctx.access, input.workflowId, input.scheme)),
  deleteWebhookSecret: edit.input(z.object({ workflowId: idSchema })).mutation(({ ctx, input }) => deleteWebhookSecret(ctx.db, ctx.access, input.workflowId)),
});
