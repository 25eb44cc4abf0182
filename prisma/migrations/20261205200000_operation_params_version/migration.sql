-- The shape of an operation's params is versioned per kind: a panel reads only the versions it knows, so an
-- operation queued by an older panel is refused with a clear message instead of resuming with a misread plan.
ALTER TABLE "Operation" ADD COLUMN "paramsVersion" INTEGER NOT NULL DEFAULT 1;
