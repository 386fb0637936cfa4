-- A workspace's own price for a model (Settings → Model prices), in USD per million input
-- and output tokens. It wins over the built-in list prices (server/llm/prices.ts), and it is
-- how a model the list does not know stops showing an "unknown" cost.

-- CreateTable
CREATE TABLE "ModelPrice" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputPerMTok" DOUBLE PRECISION NOT NULL,
    "outputPerMTok" DOUBLE PRECISION NOT NULL,
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelPrice_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ModelPrice_prices_check" CHECK ("inputPerMTok" >= 0 AND "outputPerMTok" >= 0)
);

-- CreateIndex: one price per model and workspace, looked up on every model call.
CREATE UNIQUE INDEX "ModelPrice_workspaceId_model_key" ON "ModelPrice"("workspaceId", "model");

-- AddForeignKey
ALTER TABLE "ModelPrice" ADD CONSTRAINT "ModelPrice_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
