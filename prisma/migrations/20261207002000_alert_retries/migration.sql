-- Alert deliveries retried like human-task notices (issue 14, item 5).
--
-- A firing's delivery is a NotificationDelivery (event "alert") on the "notifications" queue,
-- with the same attempts and backoff as a task notice. "alertLogId" says which firing it is
-- about; it is unique, so one firing is one delivery however often it is enqueued. No foreign
-- key, like "taskId": a delivery goes with its channel, the alert log stays as history.

ALTER TABLE "NotificationDelivery" ADD COLUMN "alertLogId" TEXT;
CREATE UNIQUE INDEX "NotificationDelivery_alertLogId_key" ON "NotificationDelivery"("alertLogId");

-- AlertLog keeps its own copy of how the delivery went (pending | retrying | delivered |
-- failed | no_channel), written with each attempt, so the log survives a deleted channel.
ALTER TABLE "AlertLog" ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "AlertLog" ADD COLUMN "lastAttemptAt" TIMESTAMP(3);
ALTER TABLE "AlertLog" ADD COLUMN "deliveredAt" TIMESTAMP(3);

-- Firings logged before this were tried exactly once, at once.
UPDATE "AlertLog" SET "attempts" = 1, "lastAttemptAt" = "firedAt" WHERE "status" IN ('delivered', 'failed');
UPDATE "AlertLog" SET "deliveredAt" = "firedAt" WHERE "status" = 'delivered';

-- The sweep's "which firings are still being delivered?" (a rule does not fire again meanwhile;
-- a delivery whose job or channel was lost is settled): few rows per status value of interest.
CREATE INDEX "AlertLog_status_ruleId_idx" ON "AlertLog"("status", "ruleId");
