CREATE SEQUENCE "public"."report_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "report_grids" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"officer_id" uuid,
	"assistants" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"roads" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"geometry" jsonb NOT NULL,
	"min_lat" double precision NOT NULL,
	"max_lat" double precision NOT NULL,
	"min_lng" double precision NOT NULL,
	"max_lng" double precision NOT NULL,
	"area_m2" double precision NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "report_grids_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "open311_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"requests" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "open311_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "report_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"actor_role" text NOT NULL,
	"actor_name" text,
	"from_state" text,
	"to_state" text,
	"note" text,
	"internal" boolean DEFAULT false NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_kinds" (
	"code" text PRIMARY KEY NOT NULL,
	"config" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_sightings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"by" text NOT NULL,
	"actor_id" uuid,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "report_supporters" (
	"report_id" uuid NOT NULL,
	"citizen_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "report_supporters_report_id_citizen_id_pk" PRIMARY KEY("report_id","citizen_id")
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"kind" text NOT NULL,
	"course" text NOT NULL,
	"state" text NOT NULL,
	"state_type" text NOT NULL,
	"outcome" text,
	"version" integer DEFAULT 0 NOT NULL,
	"source" text NOT NULL,
	"citizen_id" uuid,
	"open311_key_id" uuid,
	"open311_token" text,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"location_source" text NOT NULL,
	"address" text NOT NULL,
	"road_name" text,
	"grid_id" uuid,
	"unit_id" uuid NOT NULL,
	"description" text NOT NULL,
	"plate" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"officer_id" uuid,
	"acknowledged_at" timestamp with time zone,
	"clock_start_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"dispatched_at" timestamp with time zone,
	"on_scene_at" timestamp with time zone,
	"verified_at" timestamp with time zone,
	"notice_due_at" timestamp with time zone,
	"public_notice_ends_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"due_reason" text,
	"overdue_notified_for" timestamp with time zone,
	"merged_into_id" uuid,
	"me_too_count" integer DEFAULT 0 NOT NULL,
	"photo_count" integer DEFAULT 0 NOT NULL,
	"thumb_file_id" uuid,
	"rating" integer,
	"rating_comment" text,
	"rated_at" timestamp with time zone,
	"dispute_count" integer DEFAULT 0 NOT NULL,
	"status_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reports_number_unique" UNIQUE("number")
);
--> statement-breakpoint
ALTER TABLE "report_events" ADD CONSTRAINT "report_events_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_sightings" ADD CONSTRAINT "report_sightings_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_supporters" ADD CONSTRAINT "report_supporters_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "report_grids_bbox_idx" ON "report_grids" USING btree ("active","min_lat","max_lat");--> statement-breakpoint
CREATE INDEX "report_grids_unit_idx" ON "report_grids" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "report_events_report_idx" ON "report_events" USING btree ("report_id","at");--> statement-breakpoint
CREATE INDEX "report_sightings_report_idx" ON "report_sightings" USING btree ("report_id","at");--> statement-breakpoint
CREATE INDEX "report_supporters_citizen_idx" ON "report_supporters" USING btree ("citizen_id");--> statement-breakpoint
CREATE INDEX "reports_unit_created_idx" ON "reports" USING btree ("unit_id","created_at","id");--> statement-breakpoint
CREATE INDEX "reports_created_idx" ON "reports" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "reports_citizen_idx" ON "reports" USING btree ("citizen_id","created_at","id");--> statement-breakpoint
CREATE INDEX "reports_officer_idx" ON "reports" USING btree ("officer_id","state_type");--> statement-breakpoint
CREATE INDEX "reports_due_idx" ON "reports" USING btree ("due_at") WHERE "reports"."state_type" = 'open';--> statement-breakpoint
CREATE INDEX "reports_nearby_idx" ON "reports" USING btree ("kind","lat","lng") WHERE "reports"."state_type" = 'open';--> statement-breakpoint
CREATE INDEX "reports_plate_idx" ON "reports" USING btree ("plate") WHERE "reports"."plate" is not null;--> statement-breakpoint
CREATE INDEX "reports_merged_into_idx" ON "reports" USING btree ("merged_into_id");--> statement-breakpoint
CREATE INDEX "reports_grid_idx" ON "reports" USING btree ("grid_id","state_type");--> statement-breakpoint
CREATE INDEX "reports_state_idx" ON "reports" USING btree ("state");--> statement-breakpoint
CREATE UNIQUE INDEX "reports_open311_token_uq" ON "reports" USING btree ("open311_token");