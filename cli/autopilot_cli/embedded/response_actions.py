"""moto's dispatch asks "is this action a method of the response class?" without listing the class each time.

For every request, moto 5.2.5's ``BaseResponse.call_action`` lists the response class's functions with
``inspect.getmembers`` (every attribute of the class and its bases, a few hundred) and looks the action up in that
list: about 1 % of the CPU of the embedded AWS's work. :func:`install` gives it a stand-in for that list which
answers the same question for the one name asked: an attribute of the class that is a plain function. It reads the
class at each question, so an action added at run time (DescribeScalingActivities, see scaling_activities.py) is
found at once. It is idempotent.
"""

from __future__ import annotations

import inspect

from moto.core import responses


class FunctionNames:
    """What ``name in method_names_from_class(cls)`` answers: `cls` has a function attribute of that name."""

    __slots__ = ("_cls",)

    def __init__(self, cls: object) -> None:
        self._cls = cls

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and inspect.isfunction(getattr(self._cls, name, None))


def install() -> None:
    responses.method_names_from_class = FunctionNames  # type: ignore[attr-defined,assignment]
