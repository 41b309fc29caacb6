"""The build driver: Jinja-LaTeX documents -> .tex -> PDF with latexmk, safely (driver.py,
latexmk.py).  It asks the pipeline for verified objects and the renderers for LaTeX."""
