ALTER TABLE "invite_attempts" DROP CONSTRAINT "invite_attempts_study_id_participant_id_invites_study_id_participant_id_fk";
--> statement-breakpoint
DROP INDEX "invites_study_email_idx";--> statement-breakpoint
ALTER TABLE "studies" ALTER COLUMN "created_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "studies" ALTER COLUMN "created_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "studies" ALTER COLUMN "updated_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "studies" ALTER COLUMN "updated_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "invite_attempts" ADD CONSTRAINT "invite_attempts_invite_fk" FOREIGN KEY ("study_id","participant_id") REFERENCES "public"."invites"("study_id","participant_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invites_study_email_idx" ON "invites" USING btree ("study_id",(lower("email") collate "C")) WHERE status <> 'failed';