-- MCP servers whose tools agents may call (Settings → MCP servers). The auth header value is
-- sealed with the vault key, bound to the row, and never returned to a client. `tools` holds
-- the last snapshot of the server's tool list (name, description, inputSchema, annotations).

-- CreateTable
CREATE TABLE "McpServer" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "url" TEXT,
    "command" TEXT,
    "authHeaderName" TEXT NOT NULL DEFAULT 'Authorization',
    "sealedAuthValue" TEXT,
    "callTimeoutSeconds" INTEGER NOT NULL DEFAULT 30,
    "tools" JSONB NOT NULL DEFAULT '[]',
    "toolsRefreshedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "McpServer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex: agents' picked tools name a server, unique per workspace.
CREATE UNIQUE INDEX "McpServer_workspaceId_name_key" ON "McpServer"("workspaceId", "name");

-- AddForeignKey
ALTER TABLE "McpServer" ADD CONSTRAINT "McpServer_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
