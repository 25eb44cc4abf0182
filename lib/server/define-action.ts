import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authorize, confirmStepUp, requestContext } from "../auth/authorize";
import type { Permission } from "../auth/permissions";
import type { SessionOperator } from "../auth/sessions";
import { STEP_UP_ACTIONS, type StepUpAction } from "../auth/step-up";
import type { RequestContext } from "../kernel";
import { runAction, type ActionResult } from "./actions";
import { malformed, notFound, type IdKind } from "./action-input";
import { isUuid } from "./ids";

/**
 * The one edge of every server action. A server action is a public endpoint:
 * whatever the page's types say, its arguments are whatever a request puts in
 * its body. `defineAction` does, in this order and for every action:
 *
 * 1. the role check (`authorize`: a refusal is audited), before anything else;
 * 2. the arguments parsed with the action's schemas (a malformed id is the
 *    same "not found" as an id that is gone; anything else malformed is a
 *    clear "not understood" that changes nothing);
 * 3. for a dangerous action, the key touch bound to this very action and
 *    these very parameters (`confirmStepUp`): the operator handed to the
 *    handler then carries the key that was touched;
 * 4. the handler, then the pages to revalidate;
 * 5. any error as a result the page shows: what happened and what to do, in
 *    the reader's language, never a stack.
 *
 * One name per action: the role check's audit target, and for a dangerous
 * action the step-up action (whose permission comes from STEP_UP_ACTIONS, so
 * the table and the code cannot disagree).
 */
type Args = readonly [] | readonly [z.ZodType, ...z.ZodType[]];
type Parsed<A extends Args> = { [K in keyof A]: A[K] extends z.ZodType ? z.output<A[K]> : never };
type Sent<A extends Args> = { [K in keyof A]: A[K] extends z.ZodType ? z.input<A[K]> : never };

export interface ActionContext<A extends Args> {
  operator: SessionOperator;
  args: Parsed<A>;
  context: RequestContext;
  /** More pages to revalidate once the action succeeded (ones the arguments alone do not name). */
  revalidate(...paths: string[]): void;
}

interface Common<A extends Args> {
  args: A;
  /** Pages whose data the action changed. */
  revalidate?: string[] | ((args: Parsed<A>) => string[]);
}

type PlainSpec<A extends Args> = Common<A> & { name: string; permission: Permission };
type TouchSpec<A extends Args> = Common<A> & {
  name: StepUpAction;
  /** What the touch is bound to (what the page showed when it asked for it); the step-up action when it depends on the arguments. */
  stepUp: { params: (args: Parsed<A>) => unknown; action?: (args: Parsed<A>) => StepUpAction };
};

/** An action any operator whose role has `permission` may run. */
export function defineAction<const A extends Args, R>(
  spec: PlainSpec<A>,
  handler: (ctx: ActionContext<A>) => Promise<R>,
): (...args: Sent<A>) => Promise<ActionResult<R>> {
  return edge(spec, spec.permission, null, handler) as (...args: Sent<A>) => Promise<ActionResult<R>>;
}

/**
 * A dangerous action (STEP_UP_ACTIONS): the same, plus the key touch, sent as
 * the last argument and checked against this action and `stepUp.params`.
 */
export function defineTouchAction<const A extends Args, R>(
  spec: TouchSpec<A>,
  handler: (ctx: ActionContext<A>) => Promise<R>,
): (...args: [...Sent<A>, stepUp: string]) => Promise<ActionResult<R>> {
  return edge(spec, STEP_UP_ACTIONS[spec.name], spec.stepUp, handler) as (
    ...args: [...Sent<A>, stepUp: string]
  ) => Promise<ActionResult<R>>;
}

function edge<A extends Args, R>(
  spec: Common<A> & { name: string },
  permission: Permission,
  touch: TouchSpec<A>["stepUp"] | null,
  handler: (ctx: ActionContext<A>) => Promise<R>,
) {
  const schema = z.tuple(spec.args as unknown as [z.ZodType, ...z.ZodType[]]);
  return async (...sent: unknown[]): Promise<ActionResult<R>> =>
    runAction(async () => {
      let operator = await authorize(permission, spec.name);
      const raw = touch ? sent.slice(0, -1) : sent;
      // Arguments the client left out (optional ones) are undefined, as in a direct call.
      while (raw.length < spec.args.length) raw.push(undefined);
      const args = parseArguments(schema, raw) as Parsed<A>;
      if (touch) {
        const stepUp = sent.at(-1);
        const action = touch.action?.(args) ?? (spec.name as StepUpAction);
        const { securityKeyId } = await confirmStepUp(
          operator,
          action,
          touch.params(args),
          typeof stepUp === "string" ? stepUp : undefined,
        );
        operator = { ...operator, securityKeyId };
      }
      const paths = typeof spec.revalidate === "function" ? spec.revalidate(args) : [...(spec.revalidate ?? [])];
      const result = await handler({
        operator,
        args,
        context: await requestContext(),
        revalidate: (...more) => paths.push(...more),
      });
      for (const p of paths) revalidatePath(p);
      return result;
    });
}

/** An id argument: a malformed one is refused as the same "not found" as one that is gone. */
export function idOf(what: IdKind) {
  return z.string().refine(isUuid, { params: { notFound: what } });
}

function parseArguments(schema: z.ZodType, raw: unknown[]): unknown {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const what = issue?.code === "custom" ? (issue.params?.notFound as IdKind | undefined) : undefined;
  if (what) throw notFound(what);
  throw malformed();
}
