/**
 * Errors a caller can act on. The tRPC and REST layers map them to 4xx responses with
 * the message and, where known, the path of the bad field.
 */
export class UserInputError extends Error {
  constructor(
    message: string,
    readonly path?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "UserInputError";
  }
}

/** The workflow itself cannot run or be published (its problems are in `details`). */
export class InvalidWorkflowError extends UserInputError {
  constructor(message: string, details: unknown) {
    super(message, "graph", details);
    this.name = "InvalidWorkflowError";
  }
}

export class NotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

/**
 * A request body over its size limit (HTTP 413 where the layer maps it). It is a
 * UserInputError so that a layer which does not know it yet still answers 4xx, never 500.
 */
export class PayloadTooLargeError extends UserInputError {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than the limit of ${describeBytes(limitBytes)}`);
    this.name = "PayloadTooLargeError";
  }
}

function describeBytes(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MiB (${bytes} bytes)` : `${bytes} bytes`;
}
