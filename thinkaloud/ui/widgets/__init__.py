"""Widgets of the rehearsal screens; each renders core data and holds no domain logic."""
