-- Model calls of a run whose price is not known (a model missing from the price list, with no
-- workspace override): the run's cost is then "at least costUsd", shown as such in lists.

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "unpricedCalls" INTEGER NOT NULL DEFAULT 0;
