DROP INDEX "contacts_business_status_idx";--> statement-breakpoint
CREATE INDEX "contacts_business_archived_idx" ON "contacts" USING btree ("business_id") WHERE "contacts"."status" = 'archived';