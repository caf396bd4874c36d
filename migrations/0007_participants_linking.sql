CREATE TABLE "sso_secrets" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"secret_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"status" text DEFAULT 'preview' NOT NULL,
	"filename" text,
	"summary" jsonb NOT NULL,
	"preview" jsonb NOT NULL,
	"plan" jsonb NOT NULL,
	"ignored_columns" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "company" text;--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "groups" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "custom_fields" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "sso_uid" text;--> statement-breakpoint
ALTER TABLE "sso_secrets" ADD CONSTRAINT "sso_secrets_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "imports_workspace_created_idx" ON "imports" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "participants_sso_uid_idx" ON "participants" USING btree ("workspace_id","sso_uid") WHERE sso_uid is not null;--> statement-breakpoint
CREATE INDEX "participants_workspace_mrr_idx" ON "participants" USING btree ("workspace_id","mrr","id");--> statement-breakpoint
CREATE INDEX "participants_workspace_ltv_idx" ON "participants" USING btree ("workspace_id","ltv","id");--> statement-breakpoint
CREATE INDEX "participants_workspace_email_idx" ON "participants" USING btree ("workspace_id",(coalesce(lower(email), '') collate "C"),"id");--> statement-breakpoint
CREATE INDEX "participants_workspace_name_idx" ON "participants" USING btree ("workspace_id",(lower(name) collate "C"));--> statement-breakpoint
CREATE INDEX "participants_workspace_status_mrr_idx" ON "participants" USING btree ("workspace_id","status","mrr","id");--> statement-breakpoint
CREATE INDEX "participants_workspace_plan_mrr_idx" ON "participants" USING btree ("workspace_id","plan","mrr","id");--> statement-breakpoint
CREATE INDEX "participants_workspace_source_created_idx" ON "participants" USING btree ("workspace_id","source","created_at","id");