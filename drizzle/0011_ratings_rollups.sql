CREATE TABLE "rating_rollups" (
	"month" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"office_id" uuid NOT NULL,
	"window_id" uuid,
	"staff_id" uuid,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"basic" integer DEFAULT 0 NOT NULL,
	"dissatisfied" integer DEFAULT 0 NOT NULL,
	"very_dissatisfied" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "rating_rollups_nonnegative_ck" CHECK ("rating_rollups"."very_satisfied" >= 0 and "rating_rollups"."satisfied" >= 0 and "rating_rollups"."basic" >= 0 and "rating_rollups"."dissatisfied" >= 0 and "rating_rollups"."very_dissatisfied" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "rating_rollups_key_uq" ON "rating_rollups" USING btree ("month","office_id",coalesce("window_id", '00000000-0000-0000-0000-000000000000'::uuid),coalesce("staff_id", '00000000-0000-0000-0000-000000000000'::uuid));--> statement-breakpoint
CREATE INDEX "rating_rollups_unit_month_idx" ON "rating_rollups" USING btree ("unit_id","month");