-- Issue 11: cron schedules of workflows, and run-finished callbacks (with their outbox and attempt log).

CREATE TABLE "Schedule" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "input" JSONB NOT NULL,
    "missedPolicy" TEXT NOT NULL DEFAULT 'skip',
    "lastSlotAt" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Schedule_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Schedule_workflowId_createdAt_idx" ON "Schedule"("workflowId", "createdAt");
CREATE INDEX "Schedule_enabled_idx" ON "Schedule"("enabled");
ALTER TABLE "Schedule" ADD CONSTRAINT "Schedule_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "ScheduleFire" (
    "id" TEXT NOT NULL,
    "scheduleId" TEXT NOT NULL,
    "slotAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'scheduled',
    "runId" TEXT,
    "message" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScheduleFire_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ScheduleFire_scheduleId_slotAt_key" ON "ScheduleFire"("scheduleId", "slotAt");
CREATE INDEX "ScheduleFire_scheduleId_createdAt_idx" ON "ScheduleFire"("scheduleId", "createdAt");
ALTER TABLE "ScheduleFire" ADD CONSTRAINT "ScheduleFire_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "Schedule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "WorkflowCallback" (
    "workflowId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "url" TEXT,
    "sealedSecret" TEXT NOT NULL,
    "secretPrefix" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkflowCallback_pkey" PRIMARY KEY ("workflowId")
);
ALTER TABLE "WorkflowCallback" ADD CONSTRAINT "WorkflowCallback_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The outbox: rows become `pending` in the statement that commits a run's terminal status.
CREATE TABLE "RunCallback" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readyAt" TIMESTAMP(3),
    "lastAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "RunCallback_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "RunCallback_runId_source_key" ON "RunCallback"("runId", "source");
CREATE INDEX "RunCallback_status_readyAt_idx" ON "RunCallback"("status", "readyAt");
ALTER TABLE "RunCallback" ADD CONSTRAINT "RunCallback_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "RunCallbackAttempt" (
    "id" TEXT NOT NULL,
    "callbackId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "statusCode" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunCallbackAttempt_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "RunCallbackAttempt_callbackId_at_idx" ON "RunCallbackAttempt"("callbackId", "at");
ALTER TABLE "RunCallbackAttempt" ADD CONSTRAINT "RunCallbackAttempt_callbackId_fkey" FOREIGN KEY ("callbackId") REFERENCES "RunCallback"("id") ON DELETE CASCADE ON UPDATE CASCADE;
