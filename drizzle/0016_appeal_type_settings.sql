CREATE TABLE "appeal_type_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"clock" jsonb NOT NULL,
	"citation" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "appeal_type_settings" ADD CONSTRAINT "appeal_type_settings_updated_by_staff_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;