"""One Logger, Tracer and Metrics for the whole package (service name from POWERTOOLS_SERVICE_NAME)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

METRICS_NAMESPACE = "SensorAutopilot"

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
