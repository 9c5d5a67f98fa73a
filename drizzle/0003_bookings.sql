CREATE TABLE "booking_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"booking_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"action" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_id" text,
	"from_state" text,
	"to_state" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "booking_policy" (
	"id" text PRIMARY KEY NOT NULL,
	"policy" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"citizen_id" uuid NOT NULL,
	"office_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"slot_id" uuid NOT NULL,
	"date" text NOT NULL,
	"start_time" text NOT NULL,
	"end_time" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'booked' NOT NULL,
	"name" text NOT NULL,
	"id_number" text NOT NULL,
	"plate" text,
	"reschedule_count" integer DEFAULT 0 NOT NULL,
	"reminded_at" timestamp with time zone,
	"checked_in_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"no_show_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookings_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "capacity_overrides" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"service_id" uuid,
	"date" text NOT NULL,
	"start_time" text,
	"capacity" integer NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "capacity_overrides_capacity_ck" CHECK ("capacity_overrides"."capacity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "office_day_overrides" (
	"office_id" uuid NOT NULL,
	"date" text NOT NULL,
	"closed" boolean NOT NULL,
	"hours" jsonb,
	"reason" text DEFAULT '' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "office_day_overrides_office_id_date_pk" PRIMARY KEY("office_id","date")
);
--> statement-breakpoint
CREATE TABLE "office_services" (
	"office_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	CONSTRAINT "office_services_office_id_service_id_pk" PRIMARY KEY("office_id","service_id")
);
--> statement-breakpoint
CREATE TABLE "offices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"address" text NOT NULL,
	"lat" double precision,
	"lng" double precision,
	"phone" text,
	"directions" text DEFAULT '' NOT NULL,
	"hours" jsonb NOT NULL,
	"slot_minutes" integer DEFAULT 30 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "offices_slot_minutes_ck" CHECK ("offices"."slot_minutes" between 5 and 240)
);
--> statement-breakpoint
CREATE TABLE "queue_counters" (
	"office_id" uuid NOT NULL,
	"date" text NOT NULL,
	"prefix" text NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "queue_counters_office_id_date_prefix_pk" PRIMARY KEY("office_id","date","prefix")
);
--> statement-breakpoint
CREATE TABLE "queue_tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"date" text NOT NULL,
	"service_id" uuid NOT NULL,
	"booking_id" uuid,
	"citizen_id" uuid,
	"number" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"on_time" boolean DEFAULT false NOT NULL,
	"slot_starts_at" timestamp with time zone,
	"state" text DEFAULT 'waiting' NOT NULL,
	"window_id" uuid,
	"target_window_id" uuid,
	"transferred_from_id" uuid,
	"issued_at" timestamp with time zone NOT NULL,
	"called_at" timestamp with time zone,
	"call_count" integer DEFAULT 0 NOT NULL,
	"serving_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"served_by" uuid,
	"issued_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_windows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"staff_id" uuid,
	"signed_in_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"duration_minutes" integer NOT NULL,
	"materials" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"vehicle_needed" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "services_code_unique" UNIQUE("code"),
	CONSTRAINT "services_duration_ck" CHECK ("services"."duration_minutes" > 0)
);
--> statement-breakpoint
CREATE TABLE "slots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"office_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"date" text NOT NULL,
	"start_time" text NOT NULL,
	"end_time" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"capacity" integer NOT NULL,
	"booked" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "slots_booked_within_capacity_ck" CHECK ("slots"."booked" >= 0 and "slots"."booked" <= "slots"."capacity")
);
--> statement-breakpoint
CREATE TABLE "window_services" (
	"window_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	CONSTRAINT "window_services_window_id_service_id_pk" PRIMARY KEY("window_id","service_id")
);
--> statement-breakpoint
ALTER TABLE "booking_events" ADD CONSTRAINT "booking_events_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_slot_id_slots_id_fk" FOREIGN KEY ("slot_id") REFERENCES "public"."slots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_overrides" ADD CONSTRAINT "capacity_overrides_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_overrides" ADD CONSTRAINT "capacity_overrides_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_day_overrides" ADD CONSTRAINT "office_day_overrides_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_services" ADD CONSTRAINT "office_services_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "office_services" ADD CONSTRAINT "office_services_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offices" ADD CONSTRAINT "offices_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_counters" ADD CONSTRAINT "queue_counters_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_window_id_service_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."service_windows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_target_window_id_service_windows_id_fk" FOREIGN KEY ("target_window_id") REFERENCES "public"."service_windows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_served_by_staff_id_fk" FOREIGN KEY ("served_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_windows" ADD CONSTRAINT "service_windows_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_windows" ADD CONSTRAINT "service_windows_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_office_id_offices_id_fk" FOREIGN KEY ("office_id") REFERENCES "public"."offices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "window_services" ADD CONSTRAINT "window_services_window_id_service_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."service_windows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "window_services" ADD CONSTRAINT "window_services_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_events_booking_idx" ON "booking_events" USING btree ("booking_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_one_active_per_service_uq" ON "bookings" USING btree ("citizen_id","service_id") WHERE "bookings"."state" in ('booked', 'checked_in');--> statement-breakpoint
CREATE INDEX "bookings_citizen_created_idx" ON "bookings" USING btree ("citizen_id","created_at","id");--> statement-breakpoint
CREATE INDEX "bookings_citizen_no_show_idx" ON "bookings" USING btree ("citizen_id","no_show_at") WHERE "bookings"."state" = 'no_show';--> statement-breakpoint
CREATE INDEX "bookings_office_date_idx" ON "bookings" USING btree ("office_id","date","start_time");--> statement-breakpoint
CREATE INDEX "bookings_slot_idx" ON "bookings" USING btree ("slot_id");--> statement-breakpoint
CREATE INDEX "bookings_booked_starts_idx" ON "bookings" USING btree ("starts_at") WHERE "bookings"."state" = 'booked';--> statement-breakpoint
CREATE UNIQUE INDEX "capacity_overrides_uq" ON "capacity_overrides" USING btree ("office_id",coalesce("service_id"::text, ''),"date",coalesce("start_time", ''));--> statement-breakpoint
CREATE INDEX "offices_unit_idx" ON "offices" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "queue_tickets_office_date_state_idx" ON "queue_tickets" USING btree ("office_id","date","state");--> statement-breakpoint
CREATE INDEX "queue_tickets_booking_idx" ON "queue_tickets" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "queue_tickets_window_completed_idx" ON "queue_tickets" USING btree ("window_id","completed_at");--> statement-breakpoint
CREATE INDEX "queue_tickets_citizen_idx" ON "queue_tickets" USING btree ("citizen_id","completed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "queue_tickets_one_active_per_window_uq" ON "queue_tickets" USING btree ("window_id") WHERE "queue_tickets"."state" in ('called', 'serving');--> statement-breakpoint
CREATE UNIQUE INDEX "service_windows_office_number_uq" ON "service_windows" USING btree ("office_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "service_windows_staff_uq" ON "service_windows" USING btree ("staff_id") WHERE "service_windows"."staff_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "slots_office_service_date_start_uq" ON "slots" USING btree ("office_id","service_id","date","start_time");--> statement-breakpoint
CREATE INDEX "slots_office_date_idx" ON "slots" USING btree ("office_id","date");--> statement-breakpoint
CREATE INDEX "window_services_service_idx" ON "window_services" USING btree ("service_id");