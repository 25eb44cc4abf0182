/**
 * The shared kernel: the few types every layer speaks of, kept here so that
 * no use case imports another for them.
 */

/** The operator a request acts for: the audit trail's actor (with the key that signed the session, when known). */
export interface Actor {
  id: string;
  email: string;
  securityKeyId?: string | null;
}

/** Where a request came from, as the audit trail records it. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}
