"""Figures: one style module (:mod:`interphase.figures.style`), one module a figure family."""
