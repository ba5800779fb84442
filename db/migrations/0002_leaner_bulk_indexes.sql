ALTER TABLE "import_ledger" DROP CONSTRAINT "import_ledger_contact_id_contacts_id_fk";
--> statement-breakpoint
DROP INDEX "contact_phones_contact_e164_key";--> statement-breakpoint
DROP INDEX "import_ledger_contact_idx";--> statement-breakpoint
DROP INDEX "identity_keys_user_idx";--> statement-breakpoint
CREATE INDEX "identity_keys_user_idx" ON "identity_keys" USING btree ("user_id") WHERE "identity_keys"."user_id" is not null;--> statement-breakpoint
-- The old key goes with its column before the new one is added: a table has one primary key.
ALTER TABLE "contact_phones" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "contact_phones" ADD CONSTRAINT "contact_phones_contact_id_e164_pk" PRIMARY KEY("contact_id","e164");