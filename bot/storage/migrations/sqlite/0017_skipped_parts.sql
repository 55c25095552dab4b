-- The parts of an upload that were not posted (front and back matter, a licence...), with their
-- text, so an author can still turn one into a chapter before the story's first release.
-- front = 1: the part came before the story (it becomes chapter 1); 0: after it (last chapter).
CREATE TABLE skipped_parts (
    id       INTEGER PRIMARY KEY,
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    part_no  INTEGER NOT NULL,
    title    TEXT    NOT NULL,
    reason   TEXT    NOT NULL,
    words    INTEGER NOT NULL,
    body     TEXT    NOT NULL,
    front    INTEGER NOT NULL DEFAULT 1 CHECK (front IN (0, 1))
);
CREATE INDEX skipped_parts_story ON skipped_parts (story_id, part_no);
