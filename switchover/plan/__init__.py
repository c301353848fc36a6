"""The migration plan model and its YAML loader."""

from switchover.plan.model import Plan, Wave

__all__ = ["Plan", "Wave"]
