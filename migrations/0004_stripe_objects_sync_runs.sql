CREATE TABLE "stripe_objects" (
	"workspace_id" uuid NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"customer_id" text,
	"created" bigint NOT NULL,
	"data" jsonb NOT NULL,
	"version" bigint NOT NULL,
	CONSTRAINT "stripe_objects_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"cursors" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "participants" ADD COLUMN "stripe_version" bigint;--> statement-breakpoint
ALTER TABLE "stripe_objects" ADD CONSTRAINT "stripe_objects_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stripe_objects_customer_idx" ON "stripe_objects" USING btree ("workspace_id","customer_id");--> statement-breakpoint
CREATE INDEX "stripe_objects_type_idx" ON "stripe_objects" USING btree ("workspace_id","type");--> statement-breakpoint
CREATE INDEX "sync_runs_connection_idx" ON "sync_runs" USING btree ("connection_id","started_at");