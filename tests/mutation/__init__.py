"""Mutants of the offline sandbox, and the harness that proves the contract suite kills them.

Under tests/ on purpose: hypothesis draws from string constants it finds in *local* modules
loaded in the process, but skips test files, so a mutant run sends exactly the cases a plain
``run --in-process`` sends.
"""
