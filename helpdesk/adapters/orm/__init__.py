"""Tortoise models of the helpdesk app (the institute and its tickets)."""
