"""The base of every result one workflow state hands to a later one (``$.<step>.output`` in the task input)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class HandOff(BaseModel):
    """A result a workflow state writes and a later task reads back (a field of ``TaskInput``).

    The producer returns exactly ``model_dump(mode="json")`` of this model, and the reader is the same package, so
    the dump validates back to an equal model. Unknown keys are refused (``extra="forbid"``): a key the model does
    not have means the hand-off drifted (a field renamed on one side) or was edited by hand, and dropping it would let
    the reader fall back to a default without a word; refused, the task fails with the field named and changes
    nothing. Computed fields are in the dump too: they are derived again, so the dumped copy is dropped on the way in.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _derived_again(cls, data: Any) -> Any:
        computed = cls.model_computed_fields
        if isinstance(data, dict) and computed:
            return {key: value for key, value in data.items() if key not in computed}
        return data
