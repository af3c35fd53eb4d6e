"""Sensor Autopilot: the control-plane functions (handlers, pure logic, boto3 adapters)."""

__version__ = "0.1.0"
