import { expect, request as playwrightRequest, type APIResponse } from "@playwright/test";
import { createOpenApiResponseValidator, type OpenApiResponseValidator } from "../../tests/support/openapi-validator";
import { stateFile } from "./users";

/**
 * Checks an API answer against the OpenAPI document the app itself serves
 * (/api/v1/openapi.json, fetched once per worker with the owner's session): the status must be
 * the expected one and a documented one, and the JSON body must match its schema.
 */
let validator: Promise<OpenApiResponseValidator> | undefined;

async function loadValidator(origin: string): Promise<OpenApiResponseValidator> {
  const context = await playwrightRequest.newContext({ baseURL: origin, storageState: stateFile("owner") });
  try {
    const response = await context.get("/api/v1/openapi.json");
    expect(response.status(), "GET /api/v1/openapi.json").toBe(200);
    return createOpenApiResponseValidator(await response.json());
  } finally {
    await context.dispose();
  }
}

/** Returns the parsed body, so a spec can go on with it. */
export async function expectMatchesOpenApi<T = Record<string, unknown>>(response: APIResponse, operationId: string, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status(), `${operationId}: ${text.slice(0, 300)}`).toBe(status);
  validator ??= loadValidator(new URL(response.url()).origin);
  const body = JSON.parse(text) as T;
  const problem = (await validator).check(operationId, status, body);
  expect(problem, problem ?? undefined).toBeNull();
  return body;
}
