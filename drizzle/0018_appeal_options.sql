CREATE TABLE "appeal_options" (
	"list" text NOT NULL,
	"key" text NOT NULL,
	"label" jsonb NOT NULL,
	"outcome" text,
	"text" text,
	"position" integer NOT NULL,
	"retired_at" timestamp with time zone,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appeal_options_list_key_pk" PRIMARY KEY("list","key")
);
--> statement-breakpoint
ALTER TABLE "appeal_type_settings" ADD COLUMN "label" jsonb;--> statement-breakpoint
ALTER TABLE "appeal_type_settings" ADD COLUMN "applies_to" text[];--> statement-breakpoint
ALTER TABLE "appeal_type_settings" ADD COLUMN "forward_same_day" boolean;--> statement-breakpoint
ALTER TABLE "appeal_type_settings" ADD COLUMN "retired_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "appeal_options" ADD CONSTRAINT "appeal_options_updated_by_staff_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;