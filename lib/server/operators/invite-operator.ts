import { randomBytes } from "node:crypto";
import { z } from "zod";
import { newToken } from "../../auth/tokens";
import { AppError } from "../../errors";
import { appendAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { now as clockNow } from "../../clock";
import { asMessage, msg } from "../../i18n/message";

export const INVITE_TTL_MS = 30 * 60 * 1000;

export const inviteSchema = z.object({
  email: z.string().trim().toLowerCase().email({ message: "must be an e-mail address" }),
  displayName: z.string().trim().min(1).max(120).optional(),
  role: z.enum(["admin", "operator", "correspondant"], { message: "must be admin, operator or correspondant" }),
  /** Account expiry; default one year from now. */
  expiresAt: z.coerce.date({ message: "must be a date such as 2027-12-31" }).optional(),
  /** Units the new operator belongs to (a correspondant sees only these units' instances). */
  unitIds: z
    .array(z.string().uuid({ message: "must be unit identifiers" }))
    .max(200)
    .optional(),
});

export type InviteInput = z.input<typeof inviteSchema>;

/**
 * Create the operator if needed and a one-time enrolment link for them: a
 * 256-bit token stored only as its hash, valid 30 minutes, single use. Any
 * earlier unused link of that operator is revoked. Returns the token (to show
 * once) and its expiry.
 */
export async function inviteOperator(
  db: Db,
  /** Checked here whatever its type says (a request body, command-line flags). */
  raw: InviteInput | Record<string, unknown>,
  issuer: { operatorId: string; label: string } | { via: "cli" },
  now = clockNow(),
): Promise<{ token: string; expiresAt: Date; operatorId: string; created: boolean }> {
  const parsed = inviteSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", msg`${String(issue.path[0] ?? "input")} ${asMessage(issue.message)}.`);
  }
  const input = parsed.data;
  const expiresAt = input.expiresAt ?? new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  if (expiresAt <= now) throw new AppError("bad_input", "expiresAt must be in the future.");
  const { token, hash } = newToken();
  const inviteExpiresAt = new Date(now.getTime() + INVITE_TTL_MS);
  const result = await db.$transaction(async (tx) => {
    let operator = await tx.operator.findUnique({ where: { email: input.email } });
    const created = !operator;
    if (operator?.disabledAt) {
      throw new AppError("conflict", msg`${input.email} is disabled.`, {
        hint: "Enable the account before inviting it again.",
      });
    }
    operator ??= await tx.operator.create({
      data: {
        email: input.email,
        displayName: input.displayName ?? input.email.split("@")[0]!,
        role: input.role,
        expiresAt,
        webauthnUserId: new Uint8Array(randomBytes(32)),
        createdById: "operatorId" in issuer ? issuer.operatorId : null,
      },
    });
    if (created && input.unitIds?.length) {
      const units = await tx.unit.count({ where: { id: { in: input.unitIds } } });
      if (units !== new Set(input.unitIds).size) {
        throw new AppError("bad_input", "One of the chosen units no longer exists.", { hint: "Reload the page." });
      }
      await tx.unitMembership.createMany({
        data: input.unitIds.map((unitId) => ({ operatorId: operator!.id, unitId })),
        skipDuplicates: true,
      });
    }
    await tx.enrolmentInvite.updateMany({
      where: { operatorId: operator.id, usedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    await tx.enrolmentInvite.create({
      data: {
        operatorId: operator.id,
        tokenHash: hash,
        issuedById: "operatorId" in issuer ? issuer.operatorId : null,
        issuedVia: "via" in issuer ? "cli" : "ui",
        createdAt: now,
        expiresAt: inviteExpiresAt,
      },
    });
    await appendAuditEvent(tx, {
      actor:
        "via" in issuer
          ? { type: "system", label: "command line" }
          : { type: "operator", operatorId: issuer.operatorId, label: issuer.label },
      action: "operator.invite",
      target: { type: "operator", id: operator.id },
      params: { email: input.email, role: input.role, created },
      outcome: "success",
    });
    return { operatorId: operator.id, created };
  });
  return { token, expiresAt: inviteExpiresAt, ...result };
}
