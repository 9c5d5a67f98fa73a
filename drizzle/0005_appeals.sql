CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "appeal_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"appeal_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_id" text,
	"from_state" text,
	"to_state" text,
	"note" text,
	"file_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"citizen_visible" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "appeal_extensions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"appeal_id" uuid NOT NULL,
	"days" integer NOT NULL,
	"reason" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text
);
--> statement-breakpoint
CREATE TABLE "appeal_material_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"appeal_id" uuid NOT NULL,
	"items" text NOT NULL,
	"requested_by" uuid,
	"requested_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	"answer_note" text,
	"answered_by" text
);
--> statement-breakpoint
CREATE TABLE "appeals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"filed_on" text NOT NULL,
	"number" text GENERATED ALWAYS AS ('SS' || filed_on || lpad(seq::text, greatest(6, length(seq::text)), '0')) STORED NOT NULL,
	"ticket_id" uuid NOT NULL,
	"citizen_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"plate" text NOT NULL,
	"decision_no" text NOT NULL,
	"type" text NOT NULL,
	"grounds" text NOT NULL,
	"statement" text NOT NULL,
	"contact_phone" text NOT NULL,
	"state" text NOT NULL,
	"assignee_id" uuid,
	"assigned_at" timestamp with time zone,
	"findings" text,
	"outcome" text,
	"legal_basis" text[],
	"reply_text" text,
	"corrected_fine_yuan" integer,
	"corrected_points" integer,
	"proposed_by" uuid,
	"proposed_at" timestamp with time zone,
	"approved_by" uuid,
	"refuse_reason" text,
	"refuse_note" text,
	"policy" jsonb NOT NULL,
	"clock_start" timestamp with time zone NOT NULL,
	"extension_days" integer DEFAULT 0 NOT NULL,
	"due_date" text,
	"due_at" timestamp with time zone,
	"paused_since" timestamp with time zone,
	"submitted_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"decided_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"reminded1_at" timestamp with time zone,
	"reminded2_at" timestamp with time zone,
	"overdue_notified_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"file_name" text,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"api_key_id" uuid,
	"total" integer NOT NULL,
	"created" integer NOT NULL,
	"unchanged" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"decision_no" text NOT NULL,
	"plate" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"place" text NOT NULL,
	"violation_code" text NOT NULL,
	"violation_desc" text NOT NULL,
	"fine_yuan" integer NOT NULL,
	"points" integer NOT NULL,
	"unit_id" uuid NOT NULL,
	"officer_name" text NOT NULL,
	"officer_no" text NOT NULL,
	"recorded_by" text NOT NULL,
	"evidence_ref" text,
	"status" text DEFAULT 'effective' NOT NULL,
	"corrected_fine_yuan" integer,
	"corrected_points" integer,
	"source" text NOT NULL,
	"import_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tickets_decision_no_unique" UNIQUE("decision_no")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_events" ADD CONSTRAINT "appeal_events_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_extensions" ADD CONSTRAINT "appeal_extensions_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_extensions" ADD CONSTRAINT "appeal_extensions_requested_by_staff_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_extensions" ADD CONSTRAINT "appeal_extensions_decided_by_staff_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_material_requests" ADD CONSTRAINT "appeal_material_requests_appeal_id_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."appeals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeal_material_requests" ADD CONSTRAINT "appeal_material_requests_requested_by_staff_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_assignee_id_staff_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_proposed_by_staff_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_approved_by_staff_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "appeal_events_appeal_idx" ON "appeal_events" USING btree ("appeal_id","at");--> statement-breakpoint
CREATE INDEX "appeal_extensions_appeal_idx" ON "appeal_extensions" USING btree ("appeal_id","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "appeal_extensions_one_pending_uq" ON "appeal_extensions" USING btree ("appeal_id") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "appeal_material_requests_appeal_idx" ON "appeal_material_requests" USING btree ("appeal_id","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "appeal_material_one_open_uq" ON "appeal_material_requests" USING btree ("appeal_id") WHERE answered_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_number_uq" ON "appeals" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "appeals_one_open_per_ticket_uq" ON "appeals" USING btree ("ticket_id") WHERE state in ('submitted', 'accepted', 'in_review', 'awaiting_material', 'pending_approval');--> statement-breakpoint
CREATE INDEX "appeals_citizen_idx" ON "appeals" USING btree ("citizen_id","submitted_at","id");--> statement-breakpoint
CREATE INDEX "appeals_open_due_idx" ON "appeals" USING btree ("due_at","id") WHERE state in ('submitted', 'accepted', 'in_review', 'awaiting_material', 'pending_approval');--> statement-breakpoint
CREATE INDEX "appeals_unit_state_due_idx" ON "appeals" USING btree ("unit_id","state","due_at");--> statement-breakpoint
CREATE INDEX "appeals_assignee_idx" ON "appeals" USING btree ("assignee_id","state");--> statement-breakpoint
CREATE INDEX "appeals_plate_idx" ON "appeals" USING btree ("plate","submitted_at");--> statement-breakpoint
CREATE INDEX "appeals_decision_no_idx" ON "appeals" USING btree ("decision_no");--> statement-breakpoint
CREATE INDEX "appeals_submitted_idx" ON "appeals" USING btree ("submitted_at");--> statement-breakpoint
CREATE INDEX "appeals_closed_idx" ON "appeals" USING btree ("closed_at");--> statement-breakpoint
CREATE INDEX "appeals_ticket_idx" ON "appeals" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "ticket_imports_created_idx" ON "ticket_imports" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "tickets_plate_idx" ON "tickets" USING btree ("plate","occurred_at");--> statement-breakpoint
CREATE INDEX "tickets_unit_idx" ON "tickets" USING btree ("unit_id","occurred_at");