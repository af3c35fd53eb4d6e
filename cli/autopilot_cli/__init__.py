"""The ``autopilot`` command: run the control plane's functions locally, against the embedded AWS or an account."""
