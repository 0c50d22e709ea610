"""Folders on disk: locks, replaced folders, usable folders, a full disk."""
