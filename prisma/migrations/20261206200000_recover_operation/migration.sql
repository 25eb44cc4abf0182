-- Recovering an instance elsewhere from a restore point (lib/server/recover).
ALTER TYPE "OperationKind" ADD VALUE 'recover';
