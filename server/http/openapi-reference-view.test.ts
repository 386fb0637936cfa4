import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./openapi";
import { forkBodySchema, humanTaskAnswerBodySchema, rerunBodySchema, triggerBodySchema } from "./api-schemas";
import { buildUrl, curlFor, exampleOf, operationsByTag, typeLabel } from "../../components/api-docs/openapi-view";

const document = buildOpenApiDocument({ serverUrl: "https://agentflow.example.com/" });
const operations = operationsByTag(document).flatMap((group) => group.operations);
const operation = (id: string) => operations.find((candidate) => candidate.operationId === id)!;

describe("the reference page's reading of the document", () => {
  it("groups every operation under its tag", () => {
    const groups = operationsByTag(document);
    expect(groups.map((group) => group.tag)).toEqual(["Workflows", "Runs", "Human tasks", "Events", "Meta"]);
    expect(groups.find((group) => group.tag === "Workflows")!.operations.map((entry) => entry.operationId)).toEqual(["listWorkflows", "triggerWorkflow"]);
    expect(operations).toHaveLength(Object.values(document.paths).flatMap((methods) => Object.keys(methods)).length);
  });

  it("builds the URL and a curl line a shell runs as shown", () => {
    const trigger = operation("triggerWorkflow");
    const values = { workflowId: "wf_1", wait: "10", "Idempotency-Key": "it's-1" };
    expect(buildUrl("", trigger, values)).toBe("/api/v1/workflows/wf_1/trigger?wait=10");
    const curl = curlFor("https://agentflow.example.com", trigger, values, '{"input":{"name":"O\'Brien"}}');
    expect(curl).toContain(`curl -X POST 'https://agentflow.example.com/api/v1/workflows/wf_1/trigger?wait=10'`);
    expect(curl).toContain(`-H "Authorization: Bearer $AGENTFLOW_API_KEY"`);
    expect(curl).toContain(`-H 'Idempotency-Key: it'\\''s-1'`);
    expect(curl).toContain(`-d '{"input":{"name":"O'\\''Brien"}}'`);
    expect(curlFor("", operation("streamRunEvents"), { runId: "run_1" }, null)).toContain("-N -H 'Accept: text/event-stream'");
    // The probes are open to anyone: their example carries no credential.
    expect(curlFor("", operation("getHealth"), {}, null)).toBe("curl -X GET '/api/health'");
  });

  it("gives example bodies that the API's own schemas accept", () => {
    expect(exampleOf(document, operation("triggerWorkflow").requestBody!.schema)).toEqual({ input: {} });
    const bodies = { triggerWorkflow: triggerBodySchema, answerHumanTask: humanTaskAnswerBodySchema, forkRun: forkBodySchema, rerunRun: rerunBodySchema };
    for (const [operationId, schema] of Object.entries(bodies)) {
      expect(schema.safeParse(exampleOf(document, operation(operationId).requestBody!.schema)).success, operationId).toBe(true);
    }
    expect(exampleOf(document, operation("answerHumanTask").requestBody!.schema)).toEqual({ decision: "approve" });
    expect(exampleOf(document, operation("forkRun").requestBody!.schema)).toEqual({ atSeq: 1 });
    expect(exampleOf(document, operation("rerunRun").requestBody!.schema)).toEqual({ version: "same" });
  });

  it("labels types", () => {
    expect(typeLabel({ $ref: "#/components/schemas/RunStatus" })).toBe("RunStatus");
    expect(typeLabel({ anyOf: [{ type: "string" }, { type: "null" }] })).toBe("string | null");
    expect(typeLabel({ type: "array", items: { $ref: "#/components/schemas/RunEvent" } })).toBe("array of RunEvent");
  });
});
