"""Server lifecycle: what happens when the bot is removed from a server, or added back.

Removal (`ServerLifecycle.guild_removed`) stops the server's schedules at once (publishing
reacts to `GuildRemoved`) and arms a purge `DATA_RETENTION_DAYS` later; adding the bot back
before then (`guild_present`) cancels the purge and publishing re-arms (`GuildReturned`).
"""
