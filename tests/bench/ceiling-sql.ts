/**
 * The statements the portal issues per scenario, copied verbatim (whitespace normalised) from a
 * drizzle-logged run of the portal (bench/capture.ts). The ceiling runs exactly these; the bench
 * re-captures the portal's statements each run and reports any drift.
 */

export const KINDS_ALL = 'select "code", "config", "updated_at" from "report_kinds" order by "report_kinds"."code" asc'
export const APPEALS_MINE =
  'select "appeals"."id", "appeals"."number", "appeals"."plate", "appeals"."state", "appeals"."due_at", "appeals"."updated_at", "tickets"."violation_desc" from "appeals" inner join "tickets" on "tickets"."id" = "appeals"."ticket_id" where "appeals"."citizen_id" = $1 order by "appeals"."updated_at" desc limit $2'
export const BOOKINGS_MINE =
  'select "bookings"."id", "bookings"."code", "bookings"."state", "bookings"."starts_at", "bookings"."updated_at", "offices"."name", "services"."name" from "bookings" inner join "offices" on "offices"."id" = "bookings"."office_id" inner join "services" on "services"."id" = "bookings"."service_id" where "bookings"."citizen_id" = $1 order by "bookings"."created_at" desc limit $2'
export const FOLLOWUPS_MINE =
  'select "rating_followups"."ticket_id", "rating_followups"."number", "rating_followups"."state", "rating_followups"."due_at", "rating_followups"."updated_at", "services"."name" from "rating_followups" inner join "ratings" on "ratings"."id" = "rating_followups"."rating_id" inner join "services" on "services"."id" = "ratings"."service_id" where "rating_followups"."citizen_id" = $1 order by "rating_followups"."opened_at" desc limit $2'
export const INVITATIONS_MINE =
  'select "rating_invitations"."ticket_id", "rating_invitations"."expires_at", "rating_invitations"."created_at", "queue_tickets"."number", "services"."name" from "rating_invitations" inner join "queue_tickets" on "queue_tickets"."id" = "rating_invitations"."ticket_id" inner join "services" on "services"."id" = "queue_tickets"."service_id" left join "ratings" on "ratings"."ticket_id" = "rating_invitations"."ticket_id" where ("rating_invitations"."citizen_id" = $1 and "rating_invitations"."expires_at" > $2 and "ratings"."id" is null) order by "rating_invitations"."created_at" desc limit $3'
export const REPORTS_MINE =
  'select "id", "number", "kind", "road_name", "address", "state", "state_type", "due_at", "updated_at" from "reports" where ("reports"."citizen_id" = $1 and "reports"."state" <> $2) order by "reports"."updated_at" desc limit $3'
export const RATE_HIT =
  'insert into "rate_limits" ("bucket", "window_start", "count") values ($1, $2, $3) on conflict ("bucket","window_start") do update set "count" = "rate_limits"."count" + 1 returning "bucket", "count"'
/** A route's two limits (per account, per address) counted in one statement. */
export const RATE_HIT_TWO =
  'insert into "rate_limits" ("bucket", "window_start", "count") values ($1, $2, $3), ($4, $5, $6) on conflict ("bucket","window_start") do update set "count" = "rate_limits"."count" + 1 returning "bucket", "count"'
/** Only on a replay (the key's insert found it stored). */
export const IDEM_FIND =
  'select "scope", "key", "request_hash", "status", "body", "content_type", "created_at" from "idempotency_keys" where ("idempotency_keys"."scope" = $1 and "idempotency_keys"."key" = $2)'
export const IDEM_INSERT =
  'insert into "idempotency_keys" ("scope", "key", "request_hash", "status", "body", "content_type", "created_at") values ($1, $2, $3, $4, $5, $6, default) on conflict do nothing returning "key"'
export const KIND_BY_CODE = 'select "code", "config", "updated_at" from "report_kinds" where "report_kinds"."code" = $1'
export const GRIDS_AT =
  'select "id", "code", "name", "unit_id", "officer_id", "assistants", "roads", "geometry", "min_lat", "max_lat", "min_lng", "max_lng", "area_m2", "active", "version", "updated_at" from "report_grids" where ("report_grids"."active" = $1 and "report_grids"."min_lat" <= $2 and "report_grids"."max_lat" >= $3 and "report_grids"."min_lng" <= $4 and "report_grids"."max_lng" >= $5)'
export const NEXT_REPORT_NUMBER = "select nextval('report_number_seq')::text as n"
export const REPORT_INSERT =
  'insert into "reports" ("id", "number", "kind", "course", "state", "state_type", "outcome", "version", "source", "citizen_id", "open311_key_id", "open311_token", "lat", "lng", "location_source", "address", "road_name", "grid_id", "unit_id", "description", "plate", "attributes", "officer_id", "acknowledged_at", "clock_start_at", "accepted_at", "dispatched_at", "on_scene_at", "verified_at", "notice_due_at", "public_notice_ends_at", "resolved_at", "finished_at", "closed_at", "due_at", "due_reason", "overdue_notified_for", "merged_into_id", "me_too_count", "photo_count", "thumb_file_id", "rating", "rating_comment", "rated_at", "dispute_count", "status_note", "created_at", "updated_at") values (default, $1, $2, $3, $4, $5, default, default, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, default, default, $20, default, default, default, default, default, default, default, $21, default, $22, $23, default, $24, default, $25, $26, default, default, default, default, $27, $28, $29) returning "id", "number", "kind", "course", "state", "state_type", "outcome", "version", "source", "citizen_id", "open311_key_id", "open311_token", "lat", "lng", "location_source", "address", "road_name", "grid_id", "unit_id", "description", "plate", "attributes", "officer_id", "acknowledged_at", "clock_start_at", "accepted_at", "dispatched_at", "on_scene_at", "verified_at", "notice_due_at", "public_notice_ends_at", "resolved_at", "finished_at", "closed_at", "due_at", "due_reason", "overdue_notified_for", "merged_into_id", "me_too_count", "photo_count", "thumb_file_id", "rating", "rating_comment", "rated_at", "dispute_count", "status_note", "created_at", "updated_at"'
export const REPORT_EVENT_INSERT =
  'insert into "report_events" ("id", "seq", "report_id", "at", "action", "actor_type", "actor_id", "actor_role", "actor_name", "from_state", "to_state", "note", "internal", "data") values (default, default, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning "id"'
export const AUDIT_INSERT =
  'insert into "audit_log" ("id", "at", "actor_type", "actor_id", "actor_role", "unit_id", "entity_type", "entity_id", "action", "before", "after", "request_id", "ip") values (default, default, $1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11)'
export const NOTIFY_INSERT =
  'insert into "notifications" ("id", "recipient_type", "recipient_id", "message_key", "params", "link", "read_at", "created_at") values (default, $1, $2, $3, $4::jsonb, $5, default, default) returning "id"'
export const UNIT_NAME = 'select "name" from "units" where "units"."id" = $1'
export const IDEM_STORE =
  'update "idempotency_keys" set "status" = $1, "body" = $2, "content_type" = $3 where ("idempotency_keys"."scope" = $4 and "idempotency_keys"."key" = $5)'
export const NEARBY =
  'select "id", "number", "kind", "course", "state", "state_type", "lat", "lng", "address", "road_name", "plate", "me_too_count", "created_at" from "reports" where ("reports"."kind" = $1 and "reports"."state_type" = $2 and "reports"."lat" >= $3 and "reports"."lat" <= $4 and "reports"."lng" >= $5 and "reports"."lng" <= $6) order by ("reports"."lat" - $7) * ("reports"."lat" - $8) + ("reports"."lng" - $9) * ("reports"."lng" - $10) * $11 limit $12'
export const CONSOLE_REPORTS =
  'select "reports"."id", "reports"."number", "reports"."kind", "reports"."state", "reports"."state_type", "reports"."address", "reports"."road_name", "reports"."lat", "reports"."lng", "reports"."plate", "reports"."me_too_count", "reports"."thumb_file_id", "reports"."created_at", "reports"."updated_at", "reports"."due_at", "reports"."due_reason", "report_grids"."name", "units"."name", "report_officer"."name" from "reports" left join "report_grids" on "report_grids"."id" = "reports"."grid_id" left join "units" on "units"."id" = "reports"."unit_id" left join "staff" "report_officer" on "report_officer"."id" = "reports"."officer_id" where ("reports"."unit_id" in ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) and "reports"."kind" = $11 and "reports"."state_type" = $12) order by "reports"."created_at" desc, "reports"."id" desc limit $13'
export const APPEALS_COUNT = `select count(*) from (select 1 from "appeals" where ("appeals"."unit_id" in ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) and "appeals"."state" in ('submitted', 'accepted', 'in_review', 'awaiting_material', 'pending_approval') and "appeals"."due_at" < $11) order by "appeals"."due_at" asc nulls last, "appeals"."id" asc limit $12) "capped"`
export const APPEALS_PAGE = `select "appeals"."id", "appeals"."number", "appeals"."state", "appeals"."type", "appeals"."grounds", "appeals"."plate", "appeals"."decision_no", "appeals"."unit_id", "appeals"."assignee_id", "appeals"."submitted_at", "appeals"."due_date", "appeals"."due_at", "appeals"."paused_since", "appeals"."outcome", "appeals"."version", json_build_array(("appeals"."due_at")::text, ("appeals"."id")::text)::text, "units"."name", "assignee"."name", "citizens"."name" from "appeals" inner join "units" on "units"."id" = "appeals"."unit_id" left join "staff" "assignee" on "assignee"."id" = "appeals"."assignee_id" left join "citizens" on "citizens"."id" = "appeals"."citizen_id" where ("appeals"."unit_id" in ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) and "appeals"."state" in ('submitted', 'accepted', 'in_review', 'awaiting_material', 'pending_approval') and "appeals"."due_at" < $11) order by "appeals"."due_at" asc nulls last, "appeals"."id" asc limit $12`
export const OFFICE_BY_ID =
  'select "id", "unit_id", "name", "kind", "address", "lat", "lng", "phone", "directions", "hours", "slot_minutes", "active", "version", "created_at", "updated_at" from "offices" where "offices"."id" = $1'
export const SERVICE_OFFERED =
  'select "services"."id", "services"."code", "services"."name", "services"."prefix", "services"."duration_minutes", "services"."materials", "services"."vehicle_needed", "services"."description", "services"."active", "services"."sort_order", "services"."created_at", "services"."updated_at" from "office_services" inner join "services" on "services"."id" = "office_services"."service_id" where ("office_services"."office_id" = $1 and "office_services"."service_id" = $2 and "services"."active" = $3)'
export const POLICY = 'select "policy" from "booking_policy" where "booking_policy"."id" = $1'
export const CALENDAR = 'select "date", "working", "name" from "calendar_overrides"'
export const DAY_OVERRIDES =
  'select "office_id", "date", "closed", "hours", "reason", "created_by", "created_at" from "office_day_overrides" where ("office_day_overrides"."office_id" = $1 and "office_day_overrides"."date" in ($2))'
export const SLOTS_OF_DAY =
  'select "id", "date", "start_time", "end_time", "starts_at", "capacity", "booked" from "slots" where ("slots"."office_id" = $1 and "slots"."service_id" = $2 and "slots"."date" = $3) order by "slots"."start_time" asc'
/** The slot with its office, the service if offered and active, and the date's override: what judges an attempt. */
export const BOOKABLE_SLOT =
  'select s.id, s.office_id, s.service_id, s.date, s.start_time, s.end_time, s.starts_at, s.ends_at, s.capacity, s.booked, o.unit_id, o.name as office_name, o.address, o.phone, o.directions, o.lat, o.lng, o.hours, o.active as office_active, v.id as offered_id, v.name as service_name, v.materials, v.vehicle_needed, v.duration_minutes, d.closed, d.hours as day_hours from slots s join offices o on o.id = s.office_id left join office_services os on os.office_id = s.office_id and os.service_id = s.service_id left join services v on v.id = os.service_id and v.active left join office_day_overrides d on d.office_id = s.office_id and d.date = s.date where s.id = $1::uuid'
/** Before anything else of a booking: a full slot is refused from this read alone. */
export const SLOT_FULLNESS = 'select "booked" >= "capacity" from "slots" where "slots"."id" = $1'
export const CITIZEN_LOCK = 'select "id" from "citizens" where "citizens"."id" = $1 for update'
/** The citizen's no-shows, same-service booking and active count, under the citizen's lock. */
export const CITIZEN_FACTS =
  "select (select coalesce(json_agg(no_show_at), '[]') from bookings where citizen_id = $1 and state = 'no_show' and no_show_at > $2::timestamptz) as no_shows, (select id from bookings where citizen_id = $3 and service_id = $4 and state in ($5, $6) limit 1) as same_id, (select count(*)::int from bookings where citizen_id = $7 and state in ($8, $9)) as active"
/** Takes the place and, only then, writes the booking, its event, the audit and inbox rows. */
export const BOOKING_WRITE =
  'with place as ( update slots set booked = booked + 1 where id = $1 and booked < capacity returning id ), booking as ( insert into bookings (id, code, citizen_id, office_id, service_id, slot_id, date, start_time, end_time, starts_at, ends_at, state, name, id_number, plate, created_at, updated_at) select $2::uuid, $3, $4::uuid, $5::uuid, $6::uuid, place.id, $7, $8, $9, $10::timestamptz, $11::timestamptz, $12, $13, $14, $15, $16::timestamptz, $17::timestamptz from place returning id ), event as ( insert into booking_events (id, booking_id, at, action, actor_type, actor_role, actor_id, from_state, to_state, note) select $18::uuid, booking.id, $19::timestamptz, $20, $21, $22, $23, $24, $25, $26 from booking ), audited as ( insert into audit_log (actor_type, actor_id, actor_role, unit_id, entity_type, entity_id, action, before, after, request_id, ip) select $27, $28, $29, $30::uuid, $31, $32, $33, $34::jsonb, $35::jsonb, $36, $37 from booking ), inbox as ( insert into notifications (id, recipient_type, recipient_id, message_key, params, link) select $38::uuid, $39, $40::uuid, $41, $42::jsonb, $43 from booking ) select id from booking'
export const WINDOW_LOCK =
  'select "service_windows"."id", "service_windows"."office_id", "service_windows"."number", "service_windows"."label", "service_windows"."active", "service_windows"."staff_id", "service_windows"."signed_in_at", "service_windows"."created_at", "offices"."id", "offices"."unit_id", "offices"."name", "offices"."kind", "offices"."address", "offices"."lat", "offices"."lng", "offices"."phone", "offices"."directions", "offices"."hours", "offices"."slot_minutes", "offices"."active", "offices"."version", "offices"."created_at", "offices"."updated_at" from "service_windows" inner join "offices" on "offices"."id" = "service_windows"."office_id" where "service_windows"."id" = $1 for update of "service_windows"'
/** Only when nothing was called: busy or nobody waiting. */
export const WINDOW_BUSY = 'select "id", "number" from "queue_tickets" where ("queue_tickets"."window_id" = $1 and "queue_tickets"."state" in ($2, $3))'
export const CALL_NEXT =
  'update "queue_tickets" set "state" = $1, "window_id" = $2, "called_at" = $3, "call_count" = $4, "served_by" = $5 where ("queue_tickets"."id" = ((select "id" from "queue_tickets" where (("queue_tickets"."state" = $6 and "queue_tickets"."office_id" = $7 and "queue_tickets"."date" = $8 and ("queue_tickets"."target_window_id" = $9 or ("queue_tickets"."target_window_id" is null and "queue_tickets"."service_id" in (select "window_services"."service_id" from "window_services" where "window_services"."window_id" = $10)))) and not exists (select "id", "number" from "queue_tickets" where ("queue_tickets"."window_id" = $11 and "queue_tickets"."state" in ($12, $13)))) order by ("queue_tickets"."target_window_id" is null), (case when ("queue_tickets"."target_window_id" is null and "queue_tickets"."kind" = \'booked\' and "queue_tickets"."on_time" and "queue_tickets"."slot_starts_at" <= $14::timestamptz) then 0 else 1 end), (case when ("queue_tickets"."target_window_id" is null and "queue_tickets"."kind" = \'booked\' and "queue_tickets"."on_time" and "queue_tickets"."slot_starts_at" <= $15::timestamptz) then "queue_tickets"."slot_starts_at" else "queue_tickets"."issued_at" end), "queue_tickets"."issued_at" asc, "queue_tickets"."seq" asc, "queue_tickets"."id" asc limit $16 for update skip locked)) and "queue_tickets"."state" = $17) returning "id", "office_id", "date", "service_id", "booking_id", "citizen_id", "number", "seq", "kind", "on_time", "slot_starts_at", "state", "window_id", "target_window_id", "transferred_from_id", "issued_at", "called_at", "call_count", "serving_at", "completed_at", "served_by", "issued_by", "created_at"'
export const TICKET_VIEW =
  'select "queue_tickets"."id", "queue_tickets"."office_id", "queue_tickets"."date", "queue_tickets"."service_id", "queue_tickets"."booking_id", "queue_tickets"."citizen_id", "queue_tickets"."number", "queue_tickets"."seq", "queue_tickets"."kind", "queue_tickets"."on_time", "queue_tickets"."slot_starts_at", "queue_tickets"."state", "queue_tickets"."window_id", "queue_tickets"."target_window_id", "queue_tickets"."transferred_from_id", "queue_tickets"."issued_at", "queue_tickets"."called_at", "queue_tickets"."call_count", "queue_tickets"."serving_at", "queue_tickets"."completed_at", "queue_tickets"."served_by", "queue_tickets"."issued_by", "queue_tickets"."created_at", "services"."name", "bookings"."code", "bookings"."name", "service_windows"."number" from "queue_tickets" inner join "services" on "services"."id" = "queue_tickets"."service_id" left join "bookings" on "bookings"."id" = "queue_tickets"."booking_id" left join "service_windows" on "service_windows"."id" = coalesce("queue_tickets"."window_id", "queue_tickets"."target_window_id") where "queue_tickets"."id" = $1'

/** The statements of each scenario in the portal's order (auth statements excluded). */
export const SCENARIO_SQL: Record<string, string[]> = {
  'my-cases': [KINDS_ALL, APPEALS_MINE, BOOKINGS_MINE, FOLLOWUPS_MINE, INVITATIONS_MINE, REPORTS_MINE],
  'report-submit': [
    RATE_HIT_TWO,
    IDEM_INSERT,
    RATE_HIT,
    KIND_BY_CODE,
    GRIDS_AT,
    NEXT_REPORT_NUMBER,
    REPORT_INSERT,
    REPORT_EVENT_INSERT,
    AUDIT_INSERT,
    NOTIFY_INSERT,
    UNIT_NAME,
    IDEM_STORE,
  ],
  nearby: [KIND_BY_CODE, NEARBY],
  'dispatcher-queue': [CONSOLE_REPORTS],
  'legal-queue': [APPEALS_COUNT, APPEALS_PAGE],
  slots: [OFFICE_BY_ID, SERVICE_OFFERED, POLICY, CALENDAR, DAY_OVERRIDES, SLOTS_OF_DAY],
  booking: [RATE_HIT_TWO, SLOT_FULLNESS, IDEM_INSERT, BOOKABLE_SLOT, POLICY, CALENDAR, CITIZEN_LOCK, CITIZEN_FACTS, BOOKING_WRITE, IDEM_STORE],
  'call-next': [WINDOW_LOCK, CALL_NEXT, AUDIT_INSERT, TICKET_VIEW],
}
