ALTER TABLE "appeal_events" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "appeals_assignee_assigned_idx" ON "appeals" USING btree ("assignee_id","assigned_at");