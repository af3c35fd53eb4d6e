"""Development tooling for tests and benchmarks (local PostgreSQL replica, local server); not used by the service."""
