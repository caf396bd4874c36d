CREATE TABLE "invite_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"study_id" uuid NOT NULL,
	"participant_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"outcome" text NOT NULL,
	"smtp_code" integer,
	"message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invites" (
	"workspace_id" uuid NOT NULL,
	"study_id" uuid NOT NULL,
	"participant_id" uuid NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "invites_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1000),
	"segment_id" uuid,
	"email" text NOT NULL,
	"name" text,
	"mrr" bigint DEFAULT 0 NOT NULL,
	"currency" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"token_hash" text,
	"token_key_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	CONSTRAINT "invites_study_id_participant_id_pk" PRIMARY KEY("study_id","participant_id")
);
--> statement-breakpoint
CREATE TABLE "studies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"title" text NOT NULL,
	"interview_url_template" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "participants" ALTER COLUMN "created_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "participants" ALTER COLUMN "created_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "invite_attempts" ADD CONSTRAINT "invite_attempts_study_id_participant_id_invites_study_id_participant_id_fk" FOREIGN KEY ("study_id","participant_id") REFERENCES "public"."invites"("study_id","participant_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invites" ADD CONSTRAINT "invites_study_id_studies_id_fk" FOREIGN KEY ("study_id") REFERENCES "public"."studies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "studies" ADD CONSTRAINT "studies_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "invite_attempts_invite_idx" ON "invite_attempts" USING btree ("study_id","participant_id","attempt");--> statement-breakpoint
CREATE UNIQUE INDEX "invites_study_email_idx" ON "invites" USING btree ("study_id",lower("email")) WHERE status <> 'failed';--> statement-breakpoint
CREATE INDEX "invites_study_seq_idx" ON "invites" USING btree ("study_id","seq");--> statement-breakpoint
CREATE INDEX "invites_retry_idx" ON "invites" USING btree ("study_id","due_at") WHERE status = 'queued' and attempts > 0;--> statement-breakpoint
CREATE UNIQUE INDEX "invites_token_hash_idx" ON "invites" USING btree ("token_hash") WHERE token_hash is not null;--> statement-breakpoint
CREATE INDEX "studies_workspace_created_idx" ON "studies" USING btree ("workspace_id","created_at","id");