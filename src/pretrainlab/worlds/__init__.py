"""Synthetic worlds: seeded, stdlib-only generators of labelled pretraining corpora.

``worlds.text`` is the default embedded text corpus (see ``docs``/design notes, Part 3).
"""
