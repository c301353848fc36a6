"""The readiness notice: what a person who is not ready must do before their cutover, in plain words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from switchover.i18n import gettext as _
from switchover.timefmt import format_day


@dataclass(frozen=True, slots=True)
class ReadinessNotice:
    """What a user who is not ready must do before their cutover, in plain words.

    Attributes:
        to_do: the steps (``ReadinessService.to_do``), at least one.
        cutover: the cutover's start, in the reader's time zone.
    """

    to_do: tuple[str, ...]
    cutover: dt.datetime

    @property
    def title(self) -> str:
        """``You are not ready for your cutover yet``, in the reader's language."""
        return _("You are not ready for your cutover yet")

    @property
    def text(self) -> str:
        """``Before your cutover on Saturday 13 February 2027: set up Microsoft Authenticator (...).``"""
        return _("Before your cutover on {day}: {steps}.").format(
            day=format_day(self.cutover), steps="; ".join(self.to_do)
        )
