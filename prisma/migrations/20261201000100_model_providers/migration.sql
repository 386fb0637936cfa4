-- Model providers configured per workspace in the UI (Settings → Model providers). Agents
-- refer to one by its name. The API key is sealed with the vault key, bound to the row; it is
-- write-only (the UI shows only whether one is set).

-- CreateTable
CREATE TABLE "ModelProvider" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL DEFAULT '',
    "sealedApiKey" TEXT,
    "organization" TEXT,
    "runpodEndpointId" TEXT,
    "coldStartTimeoutSeconds" INTEGER,
    "usdPerSecond" DOUBLE PRECISION,
    "defaultModel" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelProvider_pkey" PRIMARY KEY ("id")
);

-- CreateIndex: agents refer to a provider by name, unique per workspace.
CREATE UNIQUE INDEX "ModelProvider_workspaceId_name_key" ON "ModelProvider"("workspaceId", "name");

-- AddForeignKey
ALTER TABLE "ModelProvider" ADD CONSTRAINT "ModelProvider_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
