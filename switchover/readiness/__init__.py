"""Readiness for cutover: the service the product asks, its notice, and the leads' report."""
