-- Operating runs: re-runs and forks link to the run they came from, and a human task may
-- have a deadline (its node's timeout), swept by the worker.

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "parentRunId" TEXT;
ALTER TABLE "Run" ADD COLUMN "origin" TEXT;
ALTER TABLE "Run" ADD COLUMN "forkedAtSeq" INTEGER;

-- AddForeignKey: a parent's deletion keeps its children (they hold their own copy of the history).
ALTER TABLE "Run" ADD CONSTRAINT "Run_parentRunId_fkey" FOREIGN KEY ("parentRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "Run_parentRunId_idx" ON "Run"("parentRunId");

-- AlterTable
ALTER TABLE "HumanTask" ADD COLUMN "dueAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "HumanTask_status_dueAt_idx" ON "HumanTask"("status", "dueAt");
