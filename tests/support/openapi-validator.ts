import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/**
 * Checks a response body against the OpenAPI document's schema for one operation and status,
 * with ajv's JSON Schema 2020-12 (OpenAPI 3.1's dialect). Shared by the integration conformance
 * test and the e2e helper (which validates against the document the app serves).
 */

type Document = {
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }>>;
  components: { schemas: Record<string, unknown> };
};

const BASE = "https://agentflow.invalid/openapi.json";

export type OpenApiResponseValidator = {
  /** null when `body` fits; otherwise what is wrong, naming the operation, status and ajv's errors. */
  check(operationId: string, status: number, body: unknown): string | null;
  /** The documented response statuses of an operation (to find undocumented answers). */
  statuses(operationId: string): string[];
};

export function createOpenApiResponseValidator(document: Document): OpenApiResponseValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: BASE, components: { schemas: document.components.schemas } });
  const compiled = new Map<string, ValidateFunction>();

  const operation = (operationId: string) => {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, candidate] of Object.entries(methods)) {
        if (candidate.operationId === operationId) return { where: `${method.toUpperCase()} ${path} (${operationId})`, responses: candidate.responses ?? {} };
      }
    }
    throw new Error(`The OpenAPI document has no operation ${operationId}`);
  };

  return {
    statuses: (operationId) => Object.keys(operation(operationId).responses),
    check(operationId, status, body) {
      const { where, responses } = operation(operationId);
      const response = responses[String(status)] ?? (status >= 500 ? responses.default : undefined);
      if (!response) return `${where}: status ${status} is not documented (documented: ${Object.keys(responses).join(", ")})`;
      const ref = response.content?.["application/json"]?.schema?.$ref;
      if (!ref) return `${where}: status ${status} has no JSON schema`;
      let validate = compiled.get(ref);
      if (!validate) {
        validate = ajv.compile({ $ref: `${BASE}${ref}` });
        compiled.set(ref, validate);
      }
      if (validate(body)) return null;
      const errors = (validate.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || "(body)"} ${error.message ?? ""} ${JSON.stringify(error.params)}`);
      return `${where} → ${status} does not match ${ref}: ${errors.join("; ")}\nbody: ${JSON.stringify(body).slice(0, 500)}`;
    },
  };
}
