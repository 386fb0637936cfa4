import type { CliConfig } from "./config";

/** An answer of the REST API other than 2xx, with its `{ error: { code, message, path? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The app could not be reached at all (wrong URL, app down). */
export class UnreachableError extends Error {}

/**
 * The REST API as the CLI uses it: JSON in and out, the API key as a Bearer token, errors
 * turned into ApiError with the server's own words.
 */
export class RestClient {
  constructor(private readonly config: CliConfig) {}

  get baseUrl(): string {
    return this.config.url;
  }

  async request<T>(method: "GET" | "POST", path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const response = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      throw new ApiError(response.status, "not_json", `${method} ${path} answered ${response.status} with a body that is not JSON — is ${this.config.url} an AgentFlow server?`);
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string; path?: string } } | null)?.error;
      throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? `${method} ${path} answered ${response.status}`, error?.path);
    }
    return { status: response.status, body: json as T };
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path).then((answer) => answer.body);
  }

  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }> {
    return this.request<T>("POST", path, body, headers);
  }

  /** The raw response (for the event stream). */
  async send(method: string, path: string, body?: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetch(`${this.config.url}${path}`, { method, body, headers: { authorization: `Bearer ${this.config.apiKey}`, accept: "application/json", ...headers }, signal });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      throw new UnreachableError(`Could not reach ${this.config.url}: ${cause}`);
    }
  }
}
