CREATE TABLE "participants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"source" text NOT NULL,
	"stripe_customer_id" text,
	"email" text,
	"name" text,
	"phone" text,
	"currency" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"mrr" bigint DEFAULT 0 NOT NULL,
	"ltv" bigint DEFAULT 0 NOT NULL,
	"plan" text,
	"plan_products" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'none' NOT NULL,
	"signup_at" timestamp with time zone,
	"deleted_in_stripe" boolean DEFAULT false NOT NULL,
	"last_synced_at" timestamp with time zone,
	"last_sync_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segment_members" (
	"segment_id" uuid NOT NULL,
	"participant_id" uuid NOT NULL,
	CONSTRAINT "segment_members_segment_id_participant_id_pk" PRIMARY KEY("segment_id","participant_id")
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"participant_count" bigint DEFAULT 0 NOT NULL,
	"mrr_by_currency" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "participants" ADD CONSTRAINT "participants_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_members" ADD CONSTRAINT "segment_members_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "participants_stripe_customer_idx" ON "participants" USING btree ("workspace_id","stripe_customer_id") WHERE stripe_customer_id is not null;--> statement-breakpoint
CREATE INDEX "participants_workspace_created_idx" ON "participants" USING btree ("workspace_id","created_at","id");--> statement-breakpoint
CREATE INDEX "segment_members_participant_idx" ON "segment_members" USING btree ("participant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "segments_workspace_key_idx" ON "segments" USING btree ("workspace_id","key");