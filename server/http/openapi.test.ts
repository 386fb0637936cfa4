import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { API_OPERATIONS, buildOpenApiDocument, responseSchemaRef } from "./openapi";
import { getRunQuerySchema, humanTaskAnswerBodySchema, listHumanTasksQuerySchema, listRunsQuerySchema, triggerBodySchema, triggerQuerySchema } from "./api-schemas";
import { listRunsInputSchema } from "../runs/list-runs";

const document = buildOpenApiDocument({ serverUrl: "http://localhost:3000/" });

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("fails the validator when broken (the check can fail)", async () => {
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, { parameters: { in: string }[] }>> };
    broken.paths["/api/v1/runs"]!.get!.parameters[0]!.in = "body"; // a Swagger 2 location, not OpenAPI 3
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("has every operation once, with a JSON error schema on every 4xx", () => {
    const ids = API_OPERATIONS.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of API_OPERATIONS) {
      for (const status of Object.keys(operation.errors)) {
        expect(responseSchemaRef(document, operation.operationId, Number(status))).toBe("#/components/schemas/Error");
      }
    }
    expect(responseSchemaRef(document, "triggerWorkflow", 202)).toBe("#/components/schemas/TriggerAccepted");
    expect(() => responseSchemaRef(document, "listWorkflows", 409)).toThrow(/no JSON response for 409/);
  });

  it("names its security schemes and the events stream's frames", () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(["bearer", "session", "webhook"]);
    const events = document.paths["/api/runs/{runId}/events"]!.get as { responses: Record<string, { content?: Record<string, unknown> }> };
    expect(Object.keys(events.responses["200"]!.content!)).toEqual(["text/event-stream"]);
    expect(document.components.schemas.RunEvent).toBeDefined();
    expect(document.components.schemas.TokenFrame).toBeDefined();
  });

  it("documents the list's query parameters from the list's own schema", () => {
    const listRuns = document.paths["/api/v1/runs"]!.get as { parameters: { name: string; in: string }[] };
    expect(listRuns.parameters.map((parameter) => parameter.name).sort()).toEqual(Object.keys(listRunsInputSchema.shape).sort());
    expect(listRunsQuerySchema).toBe(listRunsInputSchema);
  });
});

describe("the shared schemas", () => {
  it("refuse unknown fields in request bodies, as the routes do", () => {
    expect(triggerBodySchema.safeParse({ input: 1, extra: true }).success).toBe(false);
    expect(humanTaskAnswerBodySchema.safeParse({ decision: "approve" }).success).toBe(true);
    expect(humanTaskAnswerBodySchema.safeParse({ decision: "maybe" }).success).toBe(false);
    expect(z.toJSONSchema(triggerBodySchema, { io: "input" })).toMatchObject({ additionalProperties: false });
  });

  it("read query text exactly as the routes' parsers do (digits only, the same bounds)", () => {
    const wait = (text?: string) => triggerQuerySchema.safeParse(text === undefined ? {} : { wait: text });
    expect(wait("0").data).toEqual({ wait: 0 });
    expect(wait("60").data).toEqual({ wait: 60 });
    expect(wait().data).toEqual({});
    for (const bad of ["61", "1e1", " 5", "-1", "0060", "", "5.0"]) expect(wait(bad).success, bad).toBe(false);

    const limit = (text?: string) => listHumanTasksQuerySchema.safeParse(text === undefined ? {} : { limit: text });
    expect(limit().data).toEqual({ limit: 50 });
    expect(limit("200").data).toEqual({ limit: 200 });
    for (const bad of ["0", "201", "1e2", "abc", ""]) expect(limit(bad).success, bad).toBe(false);
    expect(listHumanTasksQuerySchema.safeParse({ workflowId: "wf/1" }).error?.issues[0]?.message).toBe("is not a workflow id");
    expect(listHumanTasksQuerySchema.safeParse({ status: "x" }).success).toBe(false);

    expect(getRunQuerySchema.safeParse({ atSeq: "3", events: "true" }).data).toEqual({ atSeq: 3, events: "true" });
    for (const bad of [{ atSeq: "0" }, { atSeq: "x" }, { events: "yes" }]) expect(getRunQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
