import { expect } from "vitest";
import { AppError } from "../../lib/errors";

/** The AppError a promise rejects with; fails the test when it resolves or throws something else. */
export async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected a refusal");
}
