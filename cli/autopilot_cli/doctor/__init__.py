"""``autopilot doctor``: the scaling guide's troubleshooting table, automated.

``snapshot`` observes the stack once; each check in ``checks_*`` is a pure function of that snapshot returning
OK, WARN or FAIL with its evidence and the fix; ``render`` prints them.
"""
