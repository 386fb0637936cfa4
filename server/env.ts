import { z } from "zod";

/**
 * The only reader of `process.env`. Parsed lazily (so `next build` needs no database),
 * and a bad value fails with a message naming the variable.
 */
export const envSchema = z.object({
  DATABASE_URL: z.string().url({ message: "DATABASE_URL must be a postgres:// URL (npm start sets it for you)" }),
  REDIS_URL: z.string().url({ message: "REDIS_URL must be a redis:// URL (npm start sets it for you)" }),
  APP_URL: z.string().url().default("http://localhost:3000"),
  /** Where the worker reaches the built-in demo model; defaults to the web app's route. */
  DEMO_MODEL_URL: z.string().url().optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  RUNPOD_API_KEY: z.string().min(1).optional(),
  RUNPOD_ENDPOINT_ID: z.string().min(1).optional(),
  RUNPOD_MODEL: z.string().min(1).optional(),
  /** RunPod serverless bills GPU time: USD per second of request latency (default: a 24 GB GPU). */
  RUNPOD_USD_PER_SECOND: z.coerce.number().min(0).default(0.00044),
  OLLAMA_BASE_URL: z.string().url().optional(),
  OLLAMA_MODEL: z.string().min(1).default("llama3.2"),
  /** Overrides every provider's request timeout (ms). RunPod's default allows for cold starts. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  /** Retries of a failed model request (429/5xx/timeouts), with backoff honouring Retry-After. */
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** Concurrent model requests per provider per worker process. */
  LLM_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  /**
   * How long a worker's lock on a job lasts without renewal. When a worker dies (kill -9),
   * its job is handed to another worker after this long.
   */
  WORKER_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** Where each run's durable file workspace lives (one folder per run). */
  WORKSPACES_DIR: z.string().min(1).default(".data/workspaces"),
  /**
   * Hours a run's workspace is kept after the run ended (workspaces of deleted runs go at the
   * next sweep); 0 keeps every workspace. Default 7 days.
   */
  WORKSPACE_RETENTION_HOURS: z.coerce.number().min(0).max(1_000_000).default(168),
  /** Comma-separated hosts the http_request tool may call (`*.example.com` allowed); empty = any public host. */
  HTTP_ALLOWLIST: z.string().default(""),
  /**
   * Comma-separated private hosts/IPs the http_request tool may call despite the SSRF guard.
   * For local testing only; leave empty in production.
   */
  HTTP_ALLOW_PRIVATE_HOSTS: z.string().default(""),
  /** First retry delay of a run-finished callback (doubling up to an hour, for 24 h); tests set it low. */
  CALLBACK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(10_000),
  /**
   * Local MCP servers (stdio) a workspace admin may add, comma-separated; each entry is a whole
   * command line (`node /opt/mcp/files.js`), picked as is — no arguments are added. Empty: stdio
   * servers are disabled and only Streamable HTTP servers can be added.
   */
  MCP_STDIO_COMMANDS: z.string().optional(),
  /** Postgres connections per process; a worker needs about one per concurrent run. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  /** Prefix of BullMQ keys; tests set their own so they never share a queue. */
  QUEUE_PREFIX: z.string().min(1).default("agentflow"),

  // ── Identity, tenancy, secrets ─────────────────────────────────────────────────────────
  /**
   * The master key of the secrets vault (and the root of the session-signing secret):
   * 32 bytes as base64 or hex, or a passphrase of at least 32 characters. Unset: a key is
   * generated once into AGENTFLOW_SECRET_KEY_FILE. Losing it loses every stored credential.
   */
  AGENTFLOW_SECRET_KEY: z.string().min(1).optional(),
  AGENTFLOW_SECRET_KEY_FILE: z.string().min(1).default(".data/secret.key"),
  /** Headless first start: creates this owner account when no user exists yet. */
  AGENTFLOW_OWNER_EMAIL: z.string().email({ message: "AGENTFLOW_OWNER_EMAIL must be an email address" }).optional(),
  AGENTFLOW_OWNER_PASSWORD: z.string().min(10, { message: "AGENTFLOW_OWNER_PASSWORD must be at least 10 characters" }).max(128).optional(),
  AGENTFLOW_OWNER_NAME: z.string().min(1).max(100).default("Owner"),
  /** Optional single sign-on with any OpenID Connect provider (all three are needed). */
  OIDC_ISSUER: z.string().url({ message: "OIDC_ISSUER must be the provider's issuer URL" }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The sign-in button's text ("Sign in with SSO"). */
  OIDC_DISPLAY_NAME: z.string().min(1).max(60).default("SSO"),
  /** smtp(s)://user:pass@host:port — invite links are also mailed when set. */
  SMTP_URL: z.string().url({ message: "SMTP_URL must look like smtp://user:pass@host:587" }).optional(),
  SMTP_FROM: z.string().min(3).default("AgentFlow <agentflow@localhost>"),
  /**
   * Host names (with port when not 80/443) the app answers to, comma-separated, besides
   * APP_URL's own; any other Host header is refused (DNS-rebinding guard).
   */
  ALLOWED_HOSTS: z.string().default(""),
  /** Largest run input accepted (bytes of the request body). */
  MAX_RUN_INPUT_BYTES: z.coerce.number().int().min(1_024).max(16_777_216).default(1_048_576),
  /**
   * Default monthly cap on a workspace's model spend in USD (Settings → Budget overrides it per
   * workspace). Unset or empty: no cap. Reached: new runs are refused (402), running ones pause.
   */
  MAX_MONTHLY_COST: z.preprocess((value) => (value === "" ? undefined : value), z.coerce.number().min(0).optional()),
  /** Largest request carrying a workflow graph (save, create, import). */
  // At most 16 MiB: next.config.js lets proxy.ts buffer 17 MB (a larger body would be cut short).
  MAX_GRAPH_BYTES: z.coerce.number().int().min(1_024).max(16_777_216).default(10_485_760),
  /** Run starts per minute for each API key, trigger token and signed-in user. */
  RUN_START_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(120),
  /** Live event streams one user or key may hold open at once. */
  MAX_STREAMS_PER_VIEWER: z.coerce.number().int().min(1).max(10_000).default(20),
  /**
   * Bearer token of GET /api/metrics for the whole instance (Prometheus); compared in constant
   * time. Unset: only an API key with the `metrics` scope can scrape (its own workspace's series).
   */
  METRICS_TOKEN: z.string().min(16, { message: "METRICS_TOKEN must be at least 16 characters" }).optional(),
}).superRefine((env, ctx) => {
  // Half a setting is a mistake to report at start, not a feature that silently stays off.
  const together = (names: (keyof typeof env)[]) => {
    const set = names.filter((name) => env[name] !== undefined);
    if (set.length > 0 && set.length < names.length) {
      const missing = names.filter((name) => env[name] === undefined);
      ctx.addIssue({ code: "custom", path: [missing[0] as string], message: `${names.join(", ")} go together: ${missing.join(", ")} missing` });
    }
  };
  together(["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"]);
  together(["AGENTFLOW_OWNER_EMAIL", "AGENTFLOW_OWNER_PASSWORD"]);
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function getEnv(): Env {
  if (cached) return cached;
  // An empty variable counts as unset (compose files write `VAR: ${VAR:-}` for optional ones).
  const present = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

/**
 * Logging and tracing settings (server/ops/log.ts, tracing.ts), parsed on their own: the
 * logger must work, and report the problem, even when the rest of the environment is invalid.
 */
const opsEnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { message: "LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent" }).default("info"),
  /** `pretty`: human-readable lines (the default under NODE_ENV=development); `json`: one JSON object a line. */
  LOG_FORMAT: z.enum(["json", "pretty"], { message: "LOG_FORMAT must be json or pretty" }).optional(),
  /** OTLP/HTTP collector base URL (`http://collector:4318`); unset, tracing is off and costs nothing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url({ message: "OTEL_EXPORTER_OTLP_ENDPOINT must be the collector's http(s):// URL" }).optional(),
});

export type OpsEnv = z.infer<typeof opsEnvSchema>;

/** Not cached: read once per process by the logger and the tracer (and a test may set them before it starts either). */
export function getOpsEnv(): OpsEnv {
  const present = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  const parsed = opsEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Variables holding secrets: their values are redacted from every log line (server/ops/log.ts). */
const SECRET_VARIABLES = ["AGENTFLOW_SECRET_KEY", "AGENTFLOW_OWNER_PASSWORD", "OPENAI_API_KEY", "RUNPOD_API_KEY", "OIDC_CLIENT_SECRET"] as const;
/** URLs whose password part is a secret. */
const URL_VARIABLES = ["DATABASE_URL", "REDIS_URL", "SMTP_URL"] as const;

export function secretEnvValues(): string[] {
  const values: string[] = SECRET_VARIABLES.flatMap((name) => process.env[name] || []);
  for (const name of URL_VARIABLES) {
    try {
      const password = new URL(process.env[name] ?? "").password;
      if (password) values.push(password, decodeURIComponent(password));
    } catch {
      // Not a URL: getEnv() reports it; nothing to redact.
    }
  }
  return values;
}
