import { asMessage, englishText, type Message, type Wording } from "./i18n/message";

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
  /** What to do next, in English (logs, command-line tools). */
  readonly hint?: string;
  /** What happened, as a message id and values: rendered in the reader's language at the edge. */
  readonly text: Message;
  readonly hintText?: Message;

  constructor(code: ErrorCode, message: Wording, options: { hint?: Wording; cause?: unknown } = {}) {
    super(englishText(message), { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.text = asMessage(message);
    if (options.hint !== undefined) {
      this.hintText = asMessage(options.hint);
      this.hint = englishText(options.hint);
    }
  }

  /** What happened, then what to do, as one text. */
  get fullText(): Message {
    return this.hintText ? { id: "{0} {1}", values: [this.text, this.hintText] } : this.text;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** What a client may see: no stack, no cause. */
  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** What a thrown value says, as a text to show or store: an AppError's message, else its English message. */
export function errorText(error: unknown): Wording {
  if (error instanceof AppError) return error.text;
  return error instanceof Error ? error.message : String(error);
}

/** Any thrown value as an AppError; unknown errors become a generic internal one. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError("internal", "Something went wrong on the panel's side.", {
    hint: "Try again; if it persists, the panel's log has the details under the request id.",
    cause: error,
  });
}
