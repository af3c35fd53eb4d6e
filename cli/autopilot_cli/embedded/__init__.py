"""The embedded AWS: moto seeded with the scaling guide's stack, so everything runs with no account.

Importing it shares botocore's service models between the process's sessions (``service_models``): moto makes
sessions as it is imported, so this comes before any of its modules.
"""

from autopilot_cli.embedded.service_models import share_service_models

share_service_models()
