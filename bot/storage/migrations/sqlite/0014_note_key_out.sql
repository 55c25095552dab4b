-- The key behind notes.sender_hash leaves the database: it now comes from NOTE_KEY or a 0600
-- key file (bot/feedback/note_key.py), so a copy of the database alone cannot link anonymous
-- notes to user ids. The bot writes the old key to the key file just before this migration
-- runs (a hook named after this file), so stored hashes keep matching.
DROP TABLE feedback_secret;
