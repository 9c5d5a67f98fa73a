ALTER TABLE "appeals" ADD COLUMN "remind1_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "appeals" ADD COLUMN "remind2_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "occurred_unit_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "vin_last6" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_occurred_unit_id_units_id_fk" FOREIGN KEY ("occurred_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;