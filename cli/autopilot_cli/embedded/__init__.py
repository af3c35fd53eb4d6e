"""The embedded AWS: moto seeded with the scaling guide's stack, so everything runs with no account.

Importing it shares botocore's service models between the process's sessions (``service_models``): moto makes
sessions as it is imported, so this comes before any of its modules. Then moto's dispatch finds a request's action
without listing the response class's methods (``response_actions``).
"""

from autopilot_cli.embedded.service_models import share_service_models

share_service_models()

from autopilot_cli.embedded import response_actions  # noqa: E402  (after the models are shared)

response_actions.install()
