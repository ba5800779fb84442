CREATE TYPE "public"."import_row_outcome" AS ENUM('created', 'updated', 'skipped', 'failed');--> statement-breakpoint
CREATE TYPE "public"."import_status" AS ENUM('running', 'completed', 'cancelled', 'failed', 'undone');--> statement-breakpoint
CREATE TABLE "import_ledger" (
	"business_id" uuid NOT NULL,
	"file_hash" text NOT NULL,
	"line" integer NOT NULL,
	"import_id" uuid NOT NULL,
	"outcome" "import_row_outcome" NOT NULL,
	"contact_id" uuid,
	"previous" jsonb,
	"problems" jsonb,
	"cells" jsonb,
	CONSTRAINT "import_ledger_business_id_file_hash_line_pk" PRIMARY KEY("business_id","file_hash","line")
);
--> statement-breakpoint
CREATE TABLE "import_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"name" text NOT NULL,
	"mapping" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"file" text NOT NULL,
	"file_hash" text NOT NULL,
	"file_size" bigint NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"mapping" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" "import_status" DEFAULT 'running' NOT NULL,
	"workflow_id" text NOT NULL,
	"error_report" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "imports_workflow_id_unique" UNIQUE("workflow_id")
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "notes" text;--> statement-breakpoint
ALTER TABLE "import_ledger" ADD CONSTRAINT "import_ledger_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_ledger" ADD CONSTRAINT "import_ledger_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_ledger" ADD CONSTRAINT "import_ledger_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_templates" ADD CONSTRAINT "import_templates_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_ledger_import_idx" ON "import_ledger" USING btree ("import_id","outcome");--> statement-breakpoint
CREATE INDEX "import_ledger_contact_idx" ON "import_ledger" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "import_templates_business_name_key" ON "import_templates" USING btree ("business_id","name");