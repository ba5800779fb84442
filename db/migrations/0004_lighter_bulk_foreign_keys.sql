ALTER TABLE "contact_phones" DROP CONSTRAINT "contact_phones_business_id_businesses_id_fk";
--> statement-breakpoint
ALTER TABLE "external_links" DROP CONSTRAINT "external_links_business_id_businesses_id_fk";
--> statement-breakpoint
ALTER TABLE "import_ledger" DROP CONSTRAINT "import_ledger_business_id_businesses_id_fk";
