CREATE INDEX "audit_log_actor_id_idx" ON "audit_log" USING btree ("actor_id","id");--> statement-breakpoint
CREATE INDEX "citizens_id_text_idx" ON "citizens" USING btree (("id"::text));