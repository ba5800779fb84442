CREATE TYPE "public"."connection_provider" AS ENUM('xero', 'quickbooks');--> statement-breakpoint
CREATE TYPE "public"."connection_status" AS ENUM('active', 'needs_reauth', 'disabled');--> statement-breakpoint
CREATE TABLE "connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"provider" "connection_provider" NOT NULL,
	"tenant_id" text NOT NULL,
	"tenant_name" text,
	"status" "connection_status" DEFAULT 'active' NOT NULL,
	"access_token_sealed" text NOT NULL,
	"refresh_token_sealed" text NOT NULL,
	"access_token_expires_at" timestamp with time zone NOT NULL,
	"tokens_rotated_at" timestamp with time zone,
	"sync_interval_minutes" integer DEFAULT 15 NOT NULL,
	"outage_budget_minutes" integer DEFAULT 360 NOT NULL,
	"cursor" jsonb,
	"last_sync_at" timestamp with time zone,
	"last_sync_summary" jsonb,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_calls" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "provider_calls_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"provider" "connection_provider" NOT NULL,
	"tenant_id" text NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"finished_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "provider_pauses" (
	"provider" "connection_provider" NOT NULL,
	"tenant_id" text NOT NULL,
	"until" timestamp (3) with time zone NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "provider_pauses_provider_tenant_id_pk" PRIMARY KEY("provider","tenant_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"provider" "connection_provider" NOT NULL,
	"digest" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_deliveries_provider_digest_pk" PRIMARY KEY("provider","digest")
);
--> statement-breakpoint
ALTER TABLE "external_links" ADD COLUMN "remote_active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "external_links" ADD COLUMN "last_seen_run" text;--> statement-breakpoint
ALTER TABLE "external_links" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connections_business_tenant_key" ON "connections" USING btree ("business_id","provider","tenant_id");--> statement-breakpoint
CREATE INDEX "connections_tenant_idx" ON "connections" USING btree ("provider","tenant_id");--> statement-breakpoint
CREATE INDEX "provider_calls_tenant_started_idx" ON "provider_calls" USING btree ("provider","tenant_id","started_at");--> statement-breakpoint
ALTER TABLE "external_links" ADD CONSTRAINT "external_links_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Instants as epoch milliseconds, for code that compares them in JavaScript whatever the client's timestamp parsing.
CREATE FUNCTION "epoch_ms"(timestamptz) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'select extract(epoch from $1)::float8 * 1000';
