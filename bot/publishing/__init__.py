"""Publishing: posting chapters on time, exactly once (discord-free; Discord is behind a port).

`planner` decides where a release goes and whether it may; `runner` posts one release page by
page and resumes after interruptions; `service` runs schedules and recovery; `manage` holds the
`/schedule` use cases; `doctor` explains what blocks a story.
"""
