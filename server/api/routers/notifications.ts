import { z } from "zod";
import { channelInputSchema, createChannel, deleteChannel, listChannels, setChannelEnabled } from "../../notifications/channels";
import { listDeliveries, sendTestNotification } from "../../notifications/deliveries";
import { createTrpcRouter, workspaceProcedure } from "../trpc";
import { idSchema } from "../schemas";

/**
 * Notification channels hold secrets (a webhook's signing secret, a Slack URL that is itself a
 * credential), so they are managed, tested and read by whoever manages the vault: admins.
 */
const manage = workspaceProcedure("credential:manage");

export const notificationsRouter = createTrpcRouter({
  /** Channels with a masked destination; never a URL's path or a signing secret. */
  list: manage.query(({ ctx }) => listChannels(ctx.db, ctx.access.workspaceId)),
  /** A webhook's signing secret is in this response only. */
  create: manage.input(channelInputSchema).mutation(({ ctx, input }) => createChannel(ctx.db, ctx.access, input)),
  setEnabled: manage.input(z.object({ id: idSchema, enabled: z.boolean() })).mutation(({ ctx, input }) => setChannelEnabled(ctx.db, ctx.access, input.id, input.enabled)),
  /** Delivers a test event now and says how it went (the attempt is in the log too). */
  sendTest: manage.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => sendTestNotification(ctx.db, ctx.access, input.id)),
  delete: manage.input(z.object({ id: idSchema })).mutation(({ ctx, input }) => deleteChannel(ctx.db, ctx.access, input.id)),
  /** The recent delivery log of every channel, newest first. */
  deliveries: manage
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(({ ctx, input }) => listDeliveries(ctx.db, ctx.access.workspaceId, input.limit)),
});
