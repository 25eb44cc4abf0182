-- A step-up challenge is bound to one action and its parameters: the touch
-- it collects can authorise that action and no other.
ALTER TABLE "WebAuthnChallenge" ADD COLUMN "action" TEXT;
ALTER TABLE "WebAuthnChallenge" ADD COLUMN "paramsHash" TEXT;
