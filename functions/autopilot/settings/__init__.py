"""One pydantic-settings class per component, each read once (``get_*_settings`` are cached)."""
