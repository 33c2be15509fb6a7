"""Synthetic worlds: seeded, stdlib-only generators of labelled pretraining corpora.

``worlds.text`` is the default embedded text corpus (see ``docs``/design notes, Part 3).
``worlds.image`` holds the image worlds (shapes, fractal, satellite, xray, digits) and the readers
for user image folders and ``.npz`` files (numpy + torch; see its module docstring).
"""
