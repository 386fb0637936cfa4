-- Child runs: a for-each runs each item as a run of its own, a sub-workflow node runs another
-- workflow as one. The child names its caller (run, node, item index) and carries a key unique
-- per start, so a start repeated after a crash finds the child it already made.
ALTER TABLE "Run" ADD COLUMN "callerRunId" TEXT;
ALTER TABLE "Run" ADD COLUMN "callerNodeId" TEXT;
ALTER TABLE "Run" ADD COLUMN "callerIndex" INTEGER;
ALTER TABLE "Run" ADD COLUMN "callerKey" TEXT;
-- A for-each item's run: the for-each node whose body it runs (its graph is derived from the version).
ALTER TABLE "Run" ADD COLUMN "itemOf" TEXT;
-- How many callers are above this run: sub-workflows calling each other are capped.
ALTER TABLE "Run" ADD COLUMN "depth" INTEGER NOT NULL DEFAULT 0;

CREATE UNIQUE INDEX "Run_callerKey_key" ON "Run"("callerKey");
CREATE INDEX "Run_callerRunId_callerNodeId_callerIndex_idx" ON "Run"("callerRunId", "callerNodeId", "callerIndex");
ALTER TABLE "Run" ADD CONSTRAINT "Run_callerRunId_fkey" FOREIGN KEY ("callerRunId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
