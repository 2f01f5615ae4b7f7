"""Writes: every change to this app's records goes through a function here."""
