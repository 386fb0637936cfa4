-- Notifications: per-workspace channels (a signed webhook, a Slack incoming webhook, email)
-- told when a human task waits or is escalated, and a log of every delivery. A task also
-- records when it is due for escalation (from its node's escalateAfterSeconds) and when it
-- was escalated, so the worker's sweep escalates each task once.

-- CreateTable
CREATE TABLE "NotificationChannel" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sealed" TEXT,
    "target" TEXT NOT NULL DEFAULT '',
    "emailMinRole" TEXT,
    "emailAddresses" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NotificationChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "taskId" TEXT,
    "event" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "lastStatusCode" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "NotificationChannel_workspaceId_createdAt_idx" ON "NotificationChannel"("workspaceId", "createdAt");

-- CreateIndex: one delivery per channel, task and event (test deliveries have no task and may repeat).
CREATE UNIQUE INDEX "NotificationDelivery_channelId_taskId_event_key" ON "NotificationDelivery"("channelId", "taskId", "event");

-- CreateIndex
CREATE INDEX "NotificationDelivery_channelId_createdAt_idx" ON "NotificationDelivery"("channelId", "createdAt");

-- AddForeignKey
ALTER TABLE "NotificationChannel" ADD CONSTRAINT "NotificationChannel_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "HumanTask" ADD COLUMN "escalateAt" TIMESTAMP(3);
ALTER TABLE "HumanTask" ADD COLUMN "escalatedAt" TIMESTAMP(3);

-- CreateIndex: the escalation sweep reads pending tasks whose escalateAt has passed.
CREATE INDEX "HumanTask_status_escalateAt_idx" ON "HumanTask"("status", "escalateAt");
