-- Issue 11: Idempotency-Key on REST POSTs, and signed webhooks as a second trigger auth.

-- A workflow's webhook signing secret (sealed with the vault key) and its scheme.
CREATE TABLE "WebhookSecret" (
    "id" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "scheme" TEXT NOT NULL,
    "sealedSecret" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotatedAt" TIMESTAMP(3),

    CONSTRAINT "WebhookSecret_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "WebhookSecret_workflowId_key" ON "WebhookSecret"("workflowId");
ALTER TABLE "WebhookSecret" ADD CONSTRAINT "WebhookSecret_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Replay protection: a signature (or GitHub delivery id) accepted once is refused until it expires.
-- No foreign key: rows are short-lived and swept by expiresAt.
CREATE TABLE "WebhookReplay" (
    "workflowId" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebhookReplay_pkey" PRIMARY KEY ("workflowId", "digest")
);
CREATE INDEX "WebhookReplay_expiresAt_idx" ON "WebhookReplay"("expiresAt");

-- Idempotency keys: unique per (scope, key); the first response is replayed for 24 h.
CREATE TABLE "IdempotencyKey" (
    "id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "responseStatus" INTEGER,
    "responseBody" TEXT,
    "responseHeaders" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "IdempotencyKey_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "IdempotencyKey_scope_key_key" ON "IdempotencyKey"("scope", "key");
CREATE INDEX "IdempotencyKey_createdAt_idx" ON "IdempotencyKey"("createdAt");
