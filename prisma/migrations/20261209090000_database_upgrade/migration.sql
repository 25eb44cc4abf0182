-- The MySQL 8.0 → 8.4 move of an instance's database container: an operation of its own.
ALTER TYPE "OperationKind" ADD VALUE 'database_upgrade';
