"""The running-app harnesses the API tests share with the bot's feature tests, under names of their own
(each is ``world`` where it lives); a test module picks one as its ``world``."""

from tests.bot.features.problems.conftest import world as problems_world  # noqa: F401
from tests.bot.features.readiness.conftest import world as graph_world  # noqa: F401
