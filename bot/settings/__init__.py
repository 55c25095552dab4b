"""Server and user settings: time zones, who may upload, the missed-release policy."""
