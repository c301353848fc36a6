"""Shared test support: database fixtures, loopback servers, fakes."""
