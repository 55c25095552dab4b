-- chapterbot schema, version 9: a chapter keeps the label its source prints (see sqlite/0009).
ALTER TABLE chapters ADD COLUMN label TEXT;
