-- The W3C trace context of a run (issue 14, traces): the trigger's root span, which every
-- worker job of the run continues. NULL when tracing was off at the start.
ALTER TABLE "Run" ADD COLUMN "traceparent" TEXT;
