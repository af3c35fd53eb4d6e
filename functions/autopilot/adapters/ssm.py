"""The writer-host parameter the sensor API reads its database writer from."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


class ParameterStore:
    def __init__(self, ssm: SSMClient) -> None:
        self._ssm = ssm

    def get(self, name: str) -> str | None:
        """The parameter's value, or None when it does not exist."""
        try:
            return str(self._ssm.get_parameter(Name=name)["Parameter"]["Value"])
        except self._ssm.exceptions.ParameterNotFound:
            return None

    def put(self, name: str, value: str) -> int:
        """Overwrite (or create) a String parameter; returns its new version."""
        response = self._ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
        return int(response.get("Version", 0))
