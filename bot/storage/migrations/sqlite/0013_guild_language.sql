-- chapterbot schema, version 10: a server may choose the language of its public posts
-- (/settings language); NULL follows the server's Discord locale (preferred_locale).
ALTER TABLE guild_settings ADD COLUMN language TEXT;
