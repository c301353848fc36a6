"""The reach tests run the Graph directory app harness of the readiness feature (its ``world``)."""

from tests.bot.features.readiness.conftest import clock_start, synced_tenant, world  # noqa: F401
