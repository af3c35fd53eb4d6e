"""The embedded AWS: moto seeded with the scaling guide's stack, so everything runs with no account."""
