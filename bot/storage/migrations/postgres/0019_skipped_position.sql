-- chapterbot schema, version 19: where a skipped part sat in the source, so a part that came
-- between two chapters (a short interlude, a stray heading) goes back there when the author
-- turns it into a chapter. after_chapter = how many of the story's chapters came before it;
-- NULL: not known, and `front` decides (chapter 1 or the last chapter).
ALTER TABLE skipped_parts ADD COLUMN after_chapter BIGINT;
