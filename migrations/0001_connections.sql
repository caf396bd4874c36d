CREATE TABLE "connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid,
	"stripe_account_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"mode" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"access_token_sealed" text,
	"refresh_token_sealed" text,
	"access_token_expires_at" timestamp with time zone,
	"api_key_sealed" text,
	"api_key_hint" text,
	"claim_code_hash" text,
	"claim_expires_at" timestamp with time zone,
	"status_messages" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sync_progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_error" text,
	"last_sync_started_at" timestamp with time zone,
	"last_sync_finished_at" timestamp with time zone,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disconnected_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"nonce" text PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"livemode" boolean NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connections_active_workspace_idx" ON "connections" USING btree ("workspace_id") WHERE status <> 'disconnected';--> statement-breakpoint
CREATE UNIQUE INDEX "connections_active_account_idx" ON "connections" USING btree ("stripe_account_id","livemode") WHERE status <> 'disconnected';--> statement-breakpoint
CREATE INDEX "connections_account_idx" ON "connections" USING btree ("stripe_account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "connections_claim_code_idx" ON "connections" USING btree ("claim_code_hash");