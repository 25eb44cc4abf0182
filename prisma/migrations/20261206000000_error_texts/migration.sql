-- Why an operation or a backup failed, as a message id and its values (lib/i18n/message.ts), beside the English
-- text: pages and alert mails show it in the reader's language. Rows from before keep their English text only.
ALTER TABLE "Operation" ADD COLUMN "errorText" JSONB;
ALTER TABLE "Backup" ADD COLUMN "errorText" JSONB;
