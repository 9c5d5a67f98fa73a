DROP INDEX "booking_events_booking_idx";--> statement-breakpoint
ALTER TABLE "booking_events" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "booking_events_booking_idx" ON "booking_events" USING btree ("booking_id","seq");