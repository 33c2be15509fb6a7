"""``WORLDS``: every world by name, a ``Registry("world")``: the text world and the image world kinds.

Configs still pick them as before (``data.world`` of a text run; ``data.world.kind`` of an image run,
built through ``worlds.image.IMAGE_WORLDS``); this registry is what ``pretrainlab list worlds`` shows.
"""

from __future__ import annotations

from pretrainlab.registry import Registry, describe
from pretrainlab.worlds import text
from pretrainlab.worlds.image import IMAGE_WORLDS, digits, fractal, satellite, shapes, xray
from pretrainlab.worlds.series import market as series_market, reader as series_reader

WORLDS: Registry = Registry("world")
WORLDS.add("text", text.TextWorld, f"text: {describe(text)}")
WORLDS.add("shapes", IMAGE_WORLDS["shapes"], f"image: {describe(shapes)}")
WORLDS.add("fractal", IMAGE_WORLDS["fractal"], f"image: {describe(fractal)}")
WORLDS.add("satellite", IMAGE_WORLDS["satellite"], f"image: {describe(satellite)}")
WORLDS.add("xray", IMAGE_WORLDS["xray"], f"image: {describe(xray)}")
WORLDS.add("digits", IMAGE_WORLDS["digits"], f"image: {describe(digits)}")
WORLDS.add("folder", IMAGE_WORLDS["folder"], "image: user images, a folder with one subfolder per class "
           "(or train/val/test folders of those) at data.world.path.")
WORLDS.add("npz", IMAGE_WORLDS["npz"], "image: user images, a .npz file with images and labels arrays at "
           "data.world.path.")
WORLDS.add("market", series_market.generate, f"series: {describe(series_market)}")
WORLDS.add("series_csv", series_reader.read_csv, f"series: {describe(series_reader)}")

__all__ = ["WORLDS"]
