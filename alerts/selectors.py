"""Reads: the queries this app's pages, API, commands and reports share."""
