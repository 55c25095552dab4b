"""Following: /follow, /unfollow, /following, /dms, the 🔔 button and release DMs."""
