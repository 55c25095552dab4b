# chapterbot: docker build -t chapterbot . && docker run --env-file .env -v chapterbot-data:/data chapterbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite:////data/chapterbot.db \
    NOTE_KEY_FILE=/data/note.key

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
COPY cogs ./cogs
# The pinned versions the tests ran with, not whatever is newest on the day of the build.
RUN pip install . -c constraints.txt && useradd --create-home --uid 10001 chapterbot \
    && mkdir /data && chown chapterbot:chapterbot /data

USER chapterbot
VOLUME ["/data"]
# Healthy while the bot's heartbeat (written to the database every 30 s) is fresh.
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
    CMD ["chapterbot", "health"]
# The token comes from the environment at run time (--env-file .env); nothing secret is baked in.
CMD ["chapterbot", "run"]
