/**
 * One error type for everything the panel reports to a person or a client.
 * `message` says what happened, `hint` what to do next; neither ever holds a
 * secret. The code is a closed set mapped to HTTP statuses in one place.
 */
export const ERROR_STATUS = {
  bad_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  rate_limited: 429,
  unavailable: 503,
  config: 500,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.hint = options.hint;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** What a client may see: no stack, no cause. */
  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** Any thrown value as an AppError; unknown errors become a generic internal one. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError("internal", "Something went wrong on the panel's side.", {
    hint: "Try again; if it persists, the panel's log has the details under the request id.",
    cause: error,
  });
}
