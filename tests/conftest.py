"""Root test configuration: shared fixture plugins and the loopback-only network guard."""

from tests.support import network

pytest_plugins = ["tests.support.db", "tests.support.clock", "tests.support.messenger", "tests.support.app"]

# Installed at collection time so that nothing, fixtures included, reaches the network.
network.install()
