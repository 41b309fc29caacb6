"""Worked examples, computation graphs and figure data, built on the library's expressions
(derive.registry.loaded_library imports the modules that register them)."""
