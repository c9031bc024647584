"""radiomon: radio monitoring for the communications office of Moroleón, Gto."""

__version__ = "0.3.0"
