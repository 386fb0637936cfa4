-- Budgets and alerts (issue 14, item 5).
--
-- WorkspaceBudget: a workspace's monthly cap on model spend (USD, the figure runs already
-- carry in "Run"."costUsd"), and an owner's override "runs may go over the cap until <date>".
-- No row (or a null cap) means MAX_MONTHLY_COST from the environment, if set.
-- The month's spend is one aggregate over "Run_workspaceId_createdAt_id_idx" (runs count in
-- the calendar month, UTC, in which they were created).

-- CreateTable
CREATE TABLE "WorkspaceBudget" (
    "workspaceId" TEXT NOT NULL,
    "monthlyCapUsd" DOUBLE PRECISION,
    "overrideUntil" TIMESTAMP(3),
    "overrideBy" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkspaceBudget_pkey" PRIMARY KEY ("workspaceId"),
    CONSTRAINT "WorkspaceBudget_cap_check" CHECK ("monthlyCapUsd" IS NULL OR "monthlyCapUsd" >= 0)
);

ALTER TABLE "WorkspaceBudget" ADD CONSTRAINT "WorkspaceBudget_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlertRule: one condition a workspace watches (failure_rate | daily_cost | task_waiting |
-- no_worker), the channel it is told through, and when it last fired. The sweeper claims a
-- firing with a conditional UPDATE of "lastFiredAt" (cool-down), so two workers never send
-- the same alert twice.

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "windowMinutes" INTEGER NOT NULL DEFAULT 15,
    "minRuns" INTEGER NOT NULL DEFAULT 5,
    "cooldownMinutes" INTEGER NOT NULL DEFAULT 60,
    "channelId" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "lastFiredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertRule_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "AlertRule_numbers_check" CHECK ("threshold" >= 0 AND "windowMinutes" >= 1 AND "minRuns" >= 1 AND "cooldownMinutes" >= 1)
);

CREATE INDEX "AlertRule_workspaceId_createdAt_idx" ON "AlertRule"("workspaceId", "createdAt");
CREATE INDEX "AlertRule_enabled_idx" ON "AlertRule"("enabled");

ALTER TABLE "AlertRule" ADD CONSTRAINT "AlertRule_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AlertRule" ADD CONSTRAINT "AlertRule_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AlertLog: every firing of a rule and how its delivery went (the log on Settings → Alerts).

-- CreateTable
CREATE TABLE "AlertLog" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "ruleId" TEXT,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "channelName" TEXT,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "firedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertLog_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "AlertLog_workspaceId_firedAt_idx" ON "AlertLog"("workspaceId", "firedAt");

ALTER TABLE "AlertLog" ADD CONSTRAINT "AlertLog_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AlertLog" ADD CONSTRAINT "AlertLog_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE SET NULL ON UPDATE CASCADE;
