ALTER TABLE "contacts" ADD COLUMN "identity_scope" uuid;--> statement-breakpoint
ALTER TABLE "contact_phones" ADD COLUMN "identity_scope" uuid;--> statement-breakpoint
-- Every contact of a business under the unique policy is scoped to it, with or without an email; its phones are
-- scoped as their claims were. A key that was never claimed (none such should exist) keeps a null scope.
UPDATE "contacts" c SET "identity_scope" = c."business_id" FROM "businesses" b
WHERE b."id" = c."business_id" AND b."identity_policy" = 'unique'
  AND (c."email_normalized" IS NULL OR EXISTS (
    SELECT 1 FROM "identity_keys" k WHERE k."business_id" = c."business_id" AND k."kind" = 'email'
      AND k."value" = c."email_normalized" AND k."contact_id" = c."id"));--> statement-breakpoint
UPDATE "contact_phones" p SET "identity_scope" = p."business_id" FROM "identity_keys" k
WHERE k."business_id" = p."business_id" AND k."kind" = 'phone' AND k."value" = p."e164" AND k."contact_id" = p."contact_id";--> statement-breakpoint
DELETE FROM "identity_keys" WHERE "contact_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "identity_keys" DROP CONSTRAINT "identity_keys_one_owner";--> statement-breakpoint
ALTER TABLE "identity_keys" DROP CONSTRAINT "identity_keys_contact_id_contacts_id_fk";--> statement-breakpoint
DROP INDEX "identity_keys_contact_idx";--> statement-breakpoint
DROP INDEX "identity_keys_user_idx";--> statement-breakpoint
ALTER TABLE "identity_keys" DROP COLUMN "contact_id";--> statement-breakpoint
ALTER TABLE "identity_keys" ALTER COLUMN "user_id" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "identity_keys_user_idx" ON "identity_keys" USING btree ("user_id");--> statement-breakpoint
DROP INDEX "contact_phones_business_e164_idx";--> statement-breakpoint
DROP INDEX "contacts_business_email_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "contact_phones_business_e164_key" ON "contact_phones" USING btree ("business_id","e164","identity_scope");--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_business_email_key" ON "contacts" USING btree ("business_id","email_normalized","identity_scope");--> statement-breakpoint
ALTER TABLE "contact_phones" ADD CONSTRAINT "contact_phones_identity_scope" CHECK ("contact_phones"."identity_scope" = "contact_phones"."business_id");--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_identity_scope" CHECK ("contacts"."identity_scope" = "contacts"."business_id");
