"""Adaptive Card templates (``templates/*.json.j2``) and their renderer."""

from cards.render import CardRenderError, render_card

__all__ = ["CardRenderError", "render_card"]
