"""The sensor API: FastAPI on PostgreSQL (primary for writes, lag-aware replica for reads)."""

__version__ = "0.1.0"
