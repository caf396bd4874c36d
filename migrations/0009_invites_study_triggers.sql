ALTER TABLE "invites" DROP CONSTRAINT "invites_study_id_studies_id_fk";
--> statement-breakpoint
-- What the foreign key checked for each inserted row, once per statement: lock the referenced
-- studies (for key share, so they cannot be deleted before the transaction ends) and fail if one
-- is missing.
CREATE FUNCTION "invites_require_study"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  referenced uuid[] := ARRAY(SELECT DISTINCT study_id FROM added);
  locked integer;
BEGIN
  SELECT count(*) INTO locked FROM (SELECT FROM studies WHERE id = ANY (referenced) FOR KEY SHARE) s;
  IF locked < cardinality(referenced) THEN
    RAISE EXCEPTION 'insert on table "invites" references a study that does not exist' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "invites_require_study" AFTER INSERT ON "invites" REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "invites_require_study"();--> statement-breakpoint
-- The foreign key's ON DELETE CASCADE, once per statement. A launch holds its study locked, so a
-- deletion waits for it and then (read committed: a new snapshot) deletes what it created.
CREATE FUNCTION "studies_delete_invites"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM invites WHERE study_id = ANY (ARRAY(SELECT id FROM removed));
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "studies_delete_invites" AFTER DELETE ON "studies" REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "studies_delete_invites"();
