-- rating_rollups follows ratings: one counter row per (month, office, window, staff member).
-- Excluded (voided) ratings are not counted. Written here so every writer (service, seed, bulk SQL) keeps it right.
CREATE OR REPLACE FUNCTION ratings_rollup_apply(r ratings, delta integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF r.excluded THEN
    RETURN;
  END IF;
  -- A decrement finds its row (a CHECK keeps counters non-negative, also against the proposed insert).
  IF delta < 0 THEN
    UPDATE rating_rollups x SET
      very_satisfied = x.very_satisfied + CASE WHEN r.score = 5 THEN delta ELSE 0 END,
      satisfied = x.satisfied + CASE WHEN r.score = 4 THEN delta ELSE 0 END,
      basic = x.basic + CASE WHEN r.score = 3 THEN delta ELSE 0 END,
      dissatisfied = x.dissatisfied + CASE WHEN r.score = 2 THEN delta ELSE 0 END,
      very_dissatisfied = x.very_dissatisfied + CASE WHEN r.score = 1 THEN delta ELSE 0 END
    WHERE x.month = r.month AND x.office_id = r.office_id
      AND coalesce(x.window_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(r.window_id, '00000000-0000-0000-0000-000000000000'::uuid)
      AND coalesce(x.staff_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(r.staff_id, '00000000-0000-0000-0000-000000000000'::uuid);
    RETURN;
  END IF;
  INSERT INTO rating_rollups AS x (month, unit_id, office_id, window_id, staff_id, very_satisfied, satisfied, basic, dissatisfied, very_dissatisfied)
  VALUES (
    r.month, r.unit_id, r.office_id, r.window_id, r.staff_id,
    CASE WHEN r.score = 5 THEN delta ELSE 0 END,
    CASE WHEN r.score = 4 THEN delta ELSE 0 END,
    CASE WHEN r.score = 3 THEN delta ELSE 0 END,
    CASE WHEN r.score = 2 THEN delta ELSE 0 END,
    CASE WHEN r.score = 1 THEN delta ELSE 0 END
  )
  ON CONFLICT (month, office_id, coalesce(window_id, '00000000-0000-0000-0000-000000000000'::uuid), coalesce(staff_id, '00000000-0000-0000-0000-000000000000'::uuid))
  DO UPDATE SET
    very_satisfied = x.very_satisfied + EXCLUDED.very_satisfied,
    satisfied = x.satisfied + EXCLUDED.satisfied,
    basic = x.basic + EXCLUDED.basic,
    dissatisfied = x.dissatisfied + EXCLUDED.dissatisfied,
    very_dissatisfied = x.very_dissatisfied + EXCLUDED.very_dissatisfied;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ratings_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM ratings_rollup_apply(OLD, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM ratings_rollup_apply(NEW, 1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER ratings_rollup AFTER INSERT OR DELETE OR UPDATE OF level, score, excluded, month, unit_id, office_id, window_id, staff_id ON ratings
  FOR EACH ROW EXECUTE FUNCTION ratings_rollup();
--> statement-breakpoint
INSERT INTO rating_rollups (month, unit_id, office_id, window_id, staff_id, very_satisfied, satisfied, basic, dissatisfied, very_dissatisfied)
SELECT month, unit_id, office_id, window_id, staff_id,
  count(*) FILTER (WHERE score = 5), count(*) FILTER (WHERE score = 4), count(*) FILTER (WHERE score = 3),
  count(*) FILTER (WHERE score = 2), count(*) FILTER (WHERE score = 1)
FROM ratings WHERE NOT excluded
GROUP BY month, unit_id, office_id, window_id, staff_id;
