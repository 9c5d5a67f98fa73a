CREATE TABLE "rating_callbacks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"followup_id" uuid NOT NULL,
	"called_at" timestamp with time zone NOT NULL,
	"method" text NOT NULL,
	"reached" boolean NOT NULL,
	"feedback" text,
	"note" text NOT NULL,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rating_config" (
	"id" text PRIMARY KEY NOT NULL,
	"config" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rating_devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"window_id" uuid NOT NULL,
	"label" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "rating_devices_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "rating_followup_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"followup_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_id" text,
	"from_state" text,
	"to_state" text,
	"note" text,
	"public" boolean DEFAULT false NOT NULL,
	"public_note" text,
	"file_ids" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rating_followups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"opened_on" text NOT NULL,
	"number" text GENERATED ALWAYS AS ('HF' || opened_on || lpad(seq::text, greatest(6, length(seq::text)), '0')) STORED NOT NULL,
	"rating_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"office_id" uuid NOT NULL,
	"window_id" uuid,
	"staff_id" uuid,
	"citizen_id" uuid,
	"state" text NOT NULL,
	"policy" jsonb NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"due_date" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"verified_at" timestamp with time zone,
	"verification" text,
	"called_back_at" timestamp with time zone,
	"rectified_at" timestamp with time zone,
	"rectification" text,
	"closed_at" timestamp with time zone,
	"outcome" text,
	"contest_reason" text,
	"contested_by" uuid,
	"contested_at" timestamp with time zone,
	"contest_decision" text,
	"contest_decided_by" uuid,
	"contest_decided_at" timestamp with time zone,
	"contest_note" text,
	"reminded_at" timestamp with time zone,
	"overdue_notified_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rating_followups_closed_ck" CHECK (("rating_followups"."state" in ('closed', 'voided')) = ("rating_followups"."closed_at" is not null)),
	CONSTRAINT "rating_followups_outcome_ck" CHECK ("rating_followups"."state" <> 'closed' or "rating_followups"."outcome" is not null),
	CONSTRAINT "rating_followups_callback_ck" CHECK ("rating_followups"."state" not in ('called_back', 'rectified', 'closed') or "rating_followups"."called_back_at" is not null)
);
--> statement-breakpoint
CREATE TABLE "rating_invitations" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"citizen_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_id" uuid NOT NULL,
	"office_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"window_id" uuid,
	"staff_id" uuid,
	"service_id" uuid NOT NULL,
	"citizen_id" uuid,
	"channel" text NOT NULL,
	"device_id" uuid,
	"level" text NOT NULL,
	"score" smallint NOT NULL,
	"bad" boolean NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"comment" text,
	"contact_phone" text,
	"excluded" boolean DEFAULT false NOT NULL,
	"completed_at" timestamp with time zone NOT NULL,
	"rated_at" timestamp with time zone NOT NULL,
	"month" text NOT NULL,
	CONSTRAINT "ratings_level_ck" CHECK ("ratings"."level" in ('very_satisfied', 'satisfied', 'basic', 'dissatisfied', 'very_dissatisfied')),
	CONSTRAINT "ratings_score_ck" CHECK ("ratings"."score" = case "ratings"."level" when 'very_satisfied' then 5 when 'satisfied' then 4 when 'basic' then 3 when 'dissatisfied' then 2 else 1 end),
	CONSTRAINT "ratings_bad_ck" CHECK ("ratings"."bad" = ("ratings"."level" in ('dissatisfied', 'very_dissatisfied'))),
	CONSTRAINT "ratings_month_ck" CHECK ("ratings"."month" ~ '^[0-9]{4}-[0-9]{2}$'),
	CONSTRAINT "ratings_comment_ck" CHECK (char_length("ratings"."comment") <= 200),
	CONSTRAINT "ratings_tags_ck" CHECK (coalesce(array_length("ratings"."tags", 1), 0) <= 5),
	CONSTRAINT "ratings_device_ck" CHECK (("ratings"."channel" = 'evaluator') = ("ratings"."device_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "rating_callbacks" ADD CONSTRAINT "rating_callbacks_followup_id_rating_followups_id_fk" FOREIGN KEY ("followup_id") REFERENCES "public"."rating_followups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_callbacks" ADD CONSTRAINT "rating_callbacks_recorded_by_staff_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_devices" ADD CONSTRAINT "rating_devices_window_id_service_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."service_windows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_devices" ADD CONSTRAINT "rating_devices_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followup_events" ADD CONSTRAINT "rating_followup_events_followup_id_rating_followups_id_fk" FOREIGN KEY ("followup_id") REFERENCES "public"."rating_followups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followups" ADD CONSTRAINT "rating_followups_rating_id_ratings_id_fk" FOREIGN KEY ("rating_id") REFERENCES "public"."ratings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followups" ADD CONSTRAINT "rating_followups_ticket_id_queue_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."queue_tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followups" ADD CONSTRAINT "rating_followups_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followups" ADD CONSTRAINT "rating_followups_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followups" ADD CONSTRAINT "rating_followups_window_id_service_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."service_windows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followups" ADD CONSTRAINT "rating_followups_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followups" ADD CONSTRAINT "rating_followups_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followups" ADD CONSTRAINT "rating_followups_contested_by_staff_id_fk" FOREIGN KEY ("contested_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_followups" ADD CONSTRAINT "rating_followups_contest_decided_by_staff_id_fk" FOREIGN KEY ("contest_decided_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_invitations" ADD CONSTRAINT "rating_invitations_ticket_id_queue_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."queue_tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rating_invitations" ADD CONSTRAINT "rating_invitations_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_ticket_id_queue_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."queue_tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_window_id_service_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."service_windows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_device_id_rating_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."rating_devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rating_callbacks_case_idx" ON "rating_callbacks" USING btree ("followup_id","called_at");--> statement-breakpoint
CREATE INDEX "rating_devices_window_idx" ON "rating_devices" USING btree ("window_id","created_at");--> statement-breakpoint
CREATE INDEX "rating_followup_events_case_idx" ON "rating_followup_events" USING btree ("followup_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "rating_followups_number_uq" ON "rating_followups" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "rating_followups_rating_uq" ON "rating_followups" USING btree ("rating_id");--> statement-breakpoint
CREATE INDEX "rating_followups_unit_state_due_idx" ON "rating_followups" USING btree ("unit_id","state","due_at");--> statement-breakpoint
CREATE INDEX "rating_followups_open_due_idx" ON "rating_followups" USING btree ("due_at","id") WHERE "rating_followups"."state" in ('opened', 'verified', 'contested', 'called_back', 'rectified');--> statement-breakpoint
CREATE INDEX "rating_followups_citizen_idx" ON "rating_followups" USING btree ("citizen_id","opened_at");--> statement-breakpoint
CREATE INDEX "rating_followups_staff_idx" ON "rating_followups" USING btree ("staff_id","opened_at");--> statement-breakpoint
CREATE INDEX "rating_followups_ticket_idx" ON "rating_followups" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "rating_invitations_citizen_idx" ON "rating_invitations" USING btree ("citizen_id","expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ratings_ticket_uq" ON "ratings" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "ratings_unit_month_idx" ON "ratings" USING btree ("unit_id","month");--> statement-breakpoint
CREATE INDEX "ratings_office_month_idx" ON "ratings" USING btree ("office_id","month");--> statement-breakpoint
CREATE INDEX "ratings_window_month_idx" ON "ratings" USING btree ("window_id","month");--> statement-breakpoint
CREATE INDEX "ratings_staff_month_idx" ON "ratings" USING btree ("staff_id","month");--> statement-breakpoint
CREATE INDEX "ratings_month_idx" ON "ratings" USING btree ("month","unit_id");--> statement-breakpoint
CREATE INDEX "ratings_rated_idx" ON "ratings" USING btree ("rated_at","id");--> statement-breakpoint
CREATE INDEX "ratings_citizen_idx" ON "ratings" USING btree ("citizen_id","rated_at");