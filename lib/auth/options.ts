import type { AuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "../server/db/web";
import { recordAuditEvent } from "../server/audit/record-audit-event";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { audit, CeremonyFailure, completeEnrolment, completeSignIn, GENERIC_SIGN_IN_FAILURE } from "./ceremonies";
import type { RequestContext } from "../kernel";
import { authConfig } from "./config";
import { signInLimiter } from "./rate-limit";
import { parseJsonText } from "./response-shape";
import { checkSession, createSession, revokeSession } from "./sessions";
import { BINDING_COOKIE, cookieFrom } from "./tokens";

type Headers = Record<string, string | string[] | undefined> | undefined;

function contextOf(headers: Headers): RequestContext {
  const one = (name: string) => {
    const v = headers?.[name];
    return (Array.isArray(v) ? v[0] : v) ?? null;
  };
  return { ip: one("x-paillasse-client-ip"), userAgent: one("user-agent") };
}

async function signedIn(operatorId: string, keyId: string, context: RequestContext): Promise<User> {
  const { token } = await createSession(db(), { operatorId, securityKeyId: keyId, ...context }, authConfig().limits);
  return { id: operatorId, sessionToken: token } as User & { sessionToken: string };
}

/**
 * next-auth (v4) carries a signed, encrypted JWT in an HttpOnly cookie; the
 * JWT holds only the server-side session's secret, checked against its row
 * on every request, so a session can end at once (logout, expiry, idle,
 * disabled operator, revoked key). Two credential "providers" run the FIDO2
 * ceremonies: "key" signs in, "enrol" registers a key from an invite link.
 */
export function authOptions(): AuthOptions {
  const config = authConfig();
  return {
    secret: config.secret,
    useSecureCookies: config.secureCookies,
    session: { strategy: "jwt", maxAge: Math.floor(config.limits.absoluteMs / 1000) },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "key",
        name: "Security key",
        credentials: { response: { type: "text" } },
        async authorize(credentials, req) {
          const context = contextOf(req.headers);
          const binding = cookieFrom(req.headers?.cookie as string | undefined, BINDING_COOKIE);
          try {
            const { operatorId, keyId } = await completeSignIn(
              db(),
              config.rp,
              // Not parsed here: a malformed body is refused, audited and counted by the ceremony itself.
              { response: parseJsonText(credentials?.response), binding },
              context,
              config.policy,
              undefined,
              signInLimiter(),
            );
            return await signedIn(operatorId, keyId, context);
          } catch (error) {
            throw new Error(error instanceof CeremonyFailure ? error.publicMessage : GENERIC_SIGN_IN_FAILURE);
          }
        },
      }),
      CredentialsProvider({
        id: "enrol",
        name: "Enrolment",
        credentials: { token: { type: "text" }, keyName: { type: "text" }, response: { type: "text" } },
        async authorize(credentials, req) {
          const context = contextOf(req.headers);
          const binding = cookieFrom(req.headers?.cookie as string | undefined, BINDING_COOKIE);
          const keyName = (credentials?.keyName ?? "").trim().slice(0, 60) || "Security key";
          try {
            const response = parseJsonText(credentials?.response);
            if (!response || typeof response !== "object") {
              await audit(db(), context, { action: "key.enrol", outcome: "denied", reason: "malformed_response" });
              throw new CeremonyFailure(GENERIC_SIGN_IN_FAILURE, "malformed_response");
            }
            const { operatorId, keyId } = await completeEnrolment(
              db(),
              config.rp,
              {
                token: String(credentials?.token ?? "").slice(0, 200),
                keyName,
                response: response as RegistrationResponseJSON,
                binding,
              },
              context,
              config.policy,
            );
            return await signedIn(operatorId, keyId, context);
          } catch (error) {
            throw new Error(error instanceof CeremonyFailure ? error.publicMessage : GENERIC_SIGN_IN_FAILURE);
          }
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          token.sid = (user as User & { sessionToken: string }).sessionToken;
          token.sub = user.id;
        }
        const verdict = await checkSession(db(), token.sid as string | undefined, config.limits);
        if (!verdict.ok) {
          // Layout and page check the session concurrently: only the request that revokes it records the end.
          if (
            verdict.sessionId &&
            verdict.reason !== "session_revoked" &&
            (await revokeSession(db(), token.sid as string, verdict.reason))
          ) {
            await recordAuditEvent(db(), {
              actor: verdict.operatorId
                ? {
                    type: "operator",
                    operatorId: verdict.operatorId,
                    label: verdict.operatorEmail ?? verdict.operatorId,
                  }
                : { type: "anonymous" },
              action: "auth.session_end",
              outcome: "success",
              reason: verdict.reason,
              target: { type: "session", id: verdict.sessionId },
            });
          }
          // Throwing here ends the session: next-auth clears it and the person signs in again.
          throw new Error(`session ended: ${verdict.reason}`);
        }
        token.operator = verdict.operator;
        return token;
      },
      async session({ session, token }) {
        return { ...session, operator: token.operator } as typeof session;
      },
    },
    events: {
      async signOut({ token }) {
        if (!token?.sid) return;
        const operatorId = await revokeSession(db(), token.sid as string, "sign_out");
        if (operatorId) {
          await recordAuditEvent(db(), {
            actor: {
              type: "operator",
              operatorId,
              label: (token.operator as { email?: string } | undefined)?.email ?? operatorId,
            },
            action: "auth.sign_out",
            outcome: "success",
          });
        }
      },
    },
  };
}
