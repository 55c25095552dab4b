-- chapterbot schema, version 9: a chapter keeps the label its source prints ("Chapter 40",
-- "Stave One", "Book II Chapter 3"); NULL when the source has none. number stays the position.
ALTER TABLE chapters ADD COLUMN label TEXT;
